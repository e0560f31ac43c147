package dev.herald.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.herald.auth.AuthConfig;
import dev.herald.auth.JwtAuthenticator;
import dev.herald.core.history.HistoryConfig;
import dev.herald.core.history.InboxConfig;
import dev.herald.netty.backend.TextPortConfig;
import dev.herald.netty.http.HttpConfig;
import dev.herald.netty.tls.TlsContext;
import dev.herald.netty.websocket.AllowedOrigins;
import dev.herald.netty.websocket.ClientLimits;
import dev.herald.netty.websocket.WebSocketConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The only reader of configuration: built-in defaults, then an optional YAML file, then environment
 * variables ({@code HERALD_WEBSOCKET_PORT}), then flags ({@code --websocket.port=1234}); each source
 * overrides the one before. Every error names the key.
 */
public final class ConfigLoader {

    /** The environment variable naming a config file when no {@code --config} flag is given. */
    public static final String CONFIG_ENV = "HERALD_CONFIG";
    /** The environment variable that the launcher sets to the Herald home. */
    public static final String HOME_ENV = "HERALD_HOME";

    private static final Pattern SIZE = Pattern.compile("(\\d{1,12})\\s*([kmg]i?b?|b)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h)", Pattern.CASE_INSENSITIVE);

    private ConfigLoader() {}

    /** The Herald home: {@code $HERALD_HOME}, else the working directory. */
    public static Path home(Map<String, String> env) {
        String home = env.get(HOME_ENV);
        return Path.of(home == null || home.isBlank() ? "" : home)
                .toAbsolutePath()
                .normalize();
    }

    /**
     * Builds the configuration.
     *
     * @param home base of relative paths
     * @param configFile YAML file (relative to the working directory), or {@code null} to use
     *     {@code $HERALD_CONFIG} if set
     * @param env environment variables
     * @param flags values given on the command line, by key name
     * @throws ConfigException naming the key or file at fault
     */
    public static ServerConfig load(Path home, Path configFile, Map<String, String> env, Map<String, String> flags) {
        return build(values(configFile, env, flags), home);
    }

    /**
     * The value of every key as written (a default, or the text from the file, the environment or a
     * flag), before parsing; {@link #build} parses and validates them.
     *
     * @throws ConfigException for a file that cannot be read or an unknown key
     */
    static Map<String, String> values(Path configFile, Map<String, String> env, Map<String, String> flags) {
        Map<String, String> values = new LinkedHashMap<>();
        for (ConfigKey key : ConfigKey.ALL) {
            values.put(key.name(), key.defaultValue());
        }
        Path file = configFile;
        if (file == null && env.get(CONFIG_ENV) != null && !env.get(CONFIG_ENV).isBlank()) {
            file = Path.of(env.get(CONFIG_ENV));
        }
        if (file != null) {
            values.putAll(readYaml(file.toAbsolutePath()));
        }
        for (ConfigKey key : ConfigKey.ALL) {
            String value = env.get(key.envName());
            if (value != null) {
                values.put(key.name(), value);
            }
        }
        for (Map.Entry<String, String> flag : flags.entrySet()) {
            if (ConfigKey.named(flag.getKey()) == null) {
                throw new ConfigException("unknown config key '" + flag.getKey() + "'");
            }
            values.put(flag.getKey(), flag.getValue());
        }
        return values;
    }

    /**
     * Parses and validates the values of every key.
     *
     * @param values by key name, as {@link #values} returns them
     * @param home base of relative paths
     * @throws ConfigException naming the key at fault
     */
    static ServerConfig build(Map<String, String> values, Path home) {
        Values v = new Values(values, home);
        WebSocketConfig websocket = section(
                "websocket",
                () -> new WebSocketConfig(
                        v.string("websocket.host"),
                        v.integer("websocket.port"),
                        v.size("websocket.max-message-bytes"),
                        v.size("websocket.max-uid-bytes"),
                        v.bool("websocket.compression"),
                        v.integer("websocket.compression-level"),
                        v.duration("websocket.ping-interval"),
                        v.duration("websocket.pong-timeout"),
                        v.duration("websocket.bind-timeout"),
                        v.size("websocket.max-outbound-bytes"),
                        v.bool("websocket.client-groups"),
                        AllowedOrigins.of(v.list("websocket.allowed-origins")),
                        new ClientLimits(
                                v.integer("websocket.max-connections"),
                                v.integer("websocket.max-connections-per-ip"),
                                v.integer("websocket.max-connections-per-uid"),
                                v.integer("websocket.max-messages-per-second"),
                                v.integer("websocket.max-handshakes-per-second"),
                                v.integer("websocket.max-handshakes-in-flight"))));
        AuthConfig auth = section(
                "auth",
                () -> new AuthConfig(
                        v.string("auth.hmac-secret"),
                        v.path("auth.public-key"),
                        v.path("auth.jwks-file"),
                        v.string("auth.jwks-url").isEmpty() ? null : URI.create(v.string("auth.jwks-url")),
                        v.string("auth.audience"),
                        v.string("auth.issuer"),
                        v.duration("auth.clock-skew"),
                        v.bool("auth.allow-bare-uid"),
                        v.size("auth.max-token-bytes")));
        if (auth.enabled()) {
            try {
                new JwtAuthenticator(auth, Clock.systemUTC()); // reads the key files: a bad one fails here
            } catch (IllegalArgumentException e) {
                throw new ConfigException("auth." + e.getMessage(), e);
            }
        }
        TextPortConfig text = section(
                "text",
                () -> new TextPortConfig(
                        v.string("text.host"),
                        v.integer("text.port"),
                        v.size("text.max-line-bytes"),
                        v.duration("text.read-timeout"),
                        v.list("text.keys"),
                        v.bool("text.insecure"),
                        v.integer("text.max-connections"),
                        v.integer("text.max-pushes-per-second")));
        requireKeysOffLoopback(text);
        HttpConfig http = section(
                "http",
                () -> new HttpConfig(
                        v.string("http.host"),
                        v.integer("http.port"),
                        v.list("http.api-keys"),
                        v.size("http.max-body-bytes"),
                        v.duration("http.read-timeout"),
                        v.integer("http.max-pushes-per-second")));
        TlsConfig tls = new TlsConfig(tls(v, "websocket"), tls(v, "http"), tls(v, "text"));
        ApiConfig api = section(
                "api",
                () -> new ApiConfig(
                        v.integer("api.max-group-bytes"),
                        v.integer("api.max-batch"),
                        v.integer("api.max-page"),
                        v.integer("api.max-groups-per-uid")));
        ProcessConfig server = section(
                "server",
                () -> new ProcessConfig(
                        v.integer("server.io-threads"),
                        v.integer("server.backend-io-threads"),
                        v.duration("server.shutdown-timeout"),
                        v.path("server.pid-file")));
        HistoryConfig history = section(
                "history",
                () -> new HistoryConfig(
                        v.integer("history.size"),
                        v.duration("history.ttl"),
                        v.size("history.max-bytes"),
                        v.list("history.groups"),
                        v.bool("history.all"),
                        v.integer("history.max-replay"),
                        v.integer("history.max-streams"),
                        v.duration("history.meta-ttl"),
                        switch (v.string("history.uids").toLowerCase(Locale.ROOT)) {
                            case "v1" -> HistoryConfig.Uids.V1;
                            case "all" -> HistoryConfig.Uids.ALL;
                            case "none" -> HistoryConfig.Uids.NONE;
                            default ->
                                throw new ConfigException(
                                        "history.uids: '" + v.string("history.uids") + "' is not v1, all or none");
                        }));
        InboxConfig inbox = section(
                "inbox",
                () -> new InboxConfig(
                        v.duration("inbox.default-ttl"),
                        v.duration("inbox.seed-ttl"),
                        v.duration("inbox.max-ttl"),
                        v.integer("inbox.max-per-uid"),
                        v.size("inbox.max-bytes"),
                        v.bool("inbox.seed-clients")));
        IdempotencyConfig idempotency = section(
                "idempotency",
                () -> new IdempotencyConfig(
                        v.duration("idempotency.window"),
                        v.integer("idempotency.max-ids"),
                        v.duration("receipts.ttl"),
                        v.integer("receipts.max")));
        StoreConfig store = section("store", () -> new StoreConfig(v.path("store.path"), v.bool("store.fsync")));
        LogConfig log =
                section("log", () -> new LogConfig(v.string("log.level"), v.path("log.file"), v.string("log.format")));
        MetricsConfig metrics = section("metrics", () -> new MetricsConfig(v.integer("metrics.latency-sample-every")));
        return new ServerConfig(
                websocket, auth, text, http, tls, api, history, inbox, idempotency, store, server, log, metrics);
    }

    /**
     * The TLS context of one listener, read from its files now: a bad certificate or key fails the
     * whole configuration (at start, or a reload that then changes nothing).
     */
    private static TlsContext tls(Values v, String listener) {
        Path cert = v.path(listener + ".tls.cert");
        Path key = v.path(listener + ".tls.key");
        if (cert == null && key == null) {
            return TlsContext.OFF;
        }
        if (cert == null || key == null) {
            throw new ConfigException(listener + ".tls.cert and " + listener + ".tls.key must be set together");
        }
        try {
            return TlsContext.load(cert, key, v.string(listener + ".tls.key-password"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(listener + "." + e.getMessage(), e);
        }
    }

    /**
     * A Text port that other machines can reach must ask for a key, unless {@code text.insecure} says
     * that the operator protects it otherwise (a firewall).
     */
    private static void requireKeysOffLoopback(TextPortConfig text) {
        if (text.keys().isEmpty() && !text.insecure() && !isLoopback(text.host())) {
            throw new ConfigException("text.host: '" + text.host()
                    + "' is not a loopback address, and text.keys is empty: anyone who reaches the port could push;"
                    + " set text.keys (backends then send 'auth KEY' first), or text.insecure: true if a firewall"
                    + " protects the port");
        }
    }

    /** Whether {@code host} names only loopback addresses; an unknown name is not loopback. */
    static boolean isLoopback(String host) {
        try {
            InetAddress[] addresses = InetAddress.getAllByName(host);
            for (InetAddress address : addresses) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return addresses.length > 0;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static <T> T section(String name, Supplier<T> build) {
        try {
            return build.get();
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new ConfigException(name + "." + e.getMessage(), e);
        }
    }

    private static Map<String, String> readYaml(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + file + " not found");
        } catch (IOException e) {
            // Not the parser's whole message, nor the exception as cause: they quote lines of the file,
            // which may hold API keys.
            throw new ConfigException("config file " + file + " is not valid YAML: " + yamlError(e));
        }
        Map<String, String> values = new LinkedHashMap<>();
        if (root == null || root.isMissingNode() || root.isNull()) {
            return values;
        }
        if (!root.isObject()) {
            throw new ConfigException("config file " + file + " must hold a mapping of keys");
        }
        flatten("", root, values, file);
        return values;
    }

    /** The parser's description of a YAML error, without the lines of the file it quotes. */
    static String yamlError(IOException e) {
        String message = e instanceof JsonProcessingException parse ? parse.getOriginalMessage() : e.getMessage();
        List<String> parts = new ArrayList<>();
        for (String line : String.valueOf(message).split("\n")) {
            if (!line.isBlank() && !line.startsWith("    ")) {
                parts.add(line.strip());
            }
        }
        return String.join(" ", parts);
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> into, Path file) {
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String name = prefix + field.getKey();
            JsonNode value = field.getValue();
            if (value.isObject()) {
                flatten(name + ".", value, into, file);
            } else if (ConfigKey.named(name) == null) {
                throw new ConfigException("unknown config key '" + name + "' in " + file);
            } else if (value.isArray()) {
                List<String> items = new ArrayList<>();
                for (JsonNode item : value) {
                    if (item.isContainerNode()) {
                        throw new ConfigException(name + " in " + file + " must be a value or a list of values");
                    }
                    items.add(item.asText());
                }
                into.put(name, String.join(",", items));
            } else {
                into.put(name, value.isNull() ? "" : value.asText());
            }
        }
    }

    /** Typed access to the merged values; each parse error names the key. */
    private record Values(Map<String, String> values, Path home) {

        String string(String key) {
            return values.get(key).trim();
        }

        int integer(String key) {
            String value = string(key);
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new ConfigException(key + ": '" + value + "' is not an integer");
            }
        }

        /** A comma-separated list; blanks around items are dropped, empty items ignored. */
        List<String> list(String key) {
            List<String> items = new ArrayList<>();
            for (String item : string(key).split(",")) {
                if (!item.isBlank()) {
                    items.add(item.strip());
                }
            }
            return items;
        }

        boolean bool(String key) {
            String value = string(key).toLowerCase(Locale.ROOT);
            return switch (value) {
                case "true", "yes", "on" -> true;
                case "false", "no", "off" -> false;
                default -> throw new ConfigException(key + ": '" + value + "' is not true or false");
            };
        }

        /** Bytes: a number with an optional binary unit (B, KiB, MiB, GiB; K, KB, M… mean the same). */
        int size(String key) {
            String value = string(key);
            Matcher m = SIZE.matcher(value);
            if (!m.matches()) {
                throw new ConfigException(key + ": '" + value + "' is not a size (for example 65536, 64KiB, 1MiB)");
            }
            long bytes = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
            long multiplier = switch (unit.charAt(0)) {
                case 'k' -> 1024L;
                case 'm' -> 1024L * 1024;
                case 'g' -> 1024L * 1024 * 1024;
                default -> 1L;
            };
            long total = bytes * multiplier;
            if (bytes > Integer.MAX_VALUE || total > Integer.MAX_VALUE) {
                throw new ConfigException(key + ": '" + value + "' is larger than 2 GiB");
            }
            return (int) total;
        }

        /** A number with a unit: ms, s, m or h. */
        Duration duration(String key) {
            String value = string(key);
            Matcher m = DURATION.matcher(value);
            if (!m.matches()) {
                throw new ConfigException(key + ": '" + value + "' is not a duration (for example 500ms, 25s, 2m)");
            }
            long amount = Long.parseLong(m.group(1));
            return switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
        }

        /** A path relative to the home, or {@code null} when empty. */
        Path path(String key) {
            String value = string(key);
            return value.isEmpty() ? null : home.resolve(value).normalize();
        }
    }
}
