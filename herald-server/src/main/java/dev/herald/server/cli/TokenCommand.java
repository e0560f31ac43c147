package dev.herald.server.cli;

import dev.herald.auth.TokenMinter;
import dev.herald.server.ServerConfig;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code herald token}: prints an HS256 connect token signed with the configured {@code
 * auth.hmac-secret}, for development and tests. Applications mint their own with their language's JWT
 * library (README, "Connect tokens").
 */
@Command(
        name = "token",
        mixinStandardHelpOptions = true,
        description =
                "Print a connect token (HS256, signed with auth.hmac-secret) for a uid: for development and tests.")
final class TokenCommand implements Callable<Integer> {

    private static final Pattern TTL = Pattern.compile("(\\d{1,9})(s|m|h|d)");

    @Mixin
    ConfigOptions options;

    @Option(names = "--uid", required = true, paramLabel = "UID", description = "The token's sub: the uid it binds.")
    String uid;

    @Option(
            names = "--ttl",
            defaultValue = "1h",
            paramLabel = "DURATION",
            description = "How long the token is good (30s, 15m, 1h, 7d); 0: no exp. Default: ${DEFAULT-VALUE}.")
    String ttl;

    @Option(
            names = "--groups",
            split = ",",
            paramLabel = "GROUP",
            description = "Groups the connection is in for its lifetime (comma-separated).")
    List<String> groups = List.of();

    @Option(names = "--info", paramLabel = "JSON", description = "A JSON object kept with the connection.")
    String info;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ServerConfig config = options.load();
        Duration lifetime;
        try {
            lifetime = ttl(ttl);
        } catch (IllegalArgumentException e) {
            err.println("herald token: " + e.getMessage());
            return Main.CONFIG_ERROR;
        }
        try {
            out.println(TokenMinter.mint(config.auth(), uid, lifetime, groups, info, Instant.now()));
        } catch (IllegalArgumentException e) {
            err.println("herald token: " + e.getMessage());
            return Main.CONFIG_ERROR;
        }
        return Control.OK;
    }

    static Duration ttl(String text) {
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = TTL.matcher(text.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("--ttl: '" + text + "' is not a duration (30s, 15m, 1h, 7d, or 0)");
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }
}
