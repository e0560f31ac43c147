package dev.herald.server.cli;

import dev.herald.server.ConfigKey;
import dev.herald.server.ConfigLoader;
import dev.herald.server.ConfigSource;
import dev.herald.server.ServerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The configuration options every command shares: {@code -c FILE} and one {@code --KEY=VALUE} flag per
 * {@link ConfigKey} (added by {@link Main#commandLine()}).
 */
final class ConfigOptions {

    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description = "YAML configuration file (default: $HERALD_CONFIG if set).")
    Path configFile;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** Adds {@code --websocket.port=VALUE} and the like to a command. */
    static void addKeyOptions(CommandSpec spec) {
        for (ConfigKey key : ConfigKey.ALL) {
            spec.addOption(OptionSpec.builder(key.flag())
                    .paramLabel("VALUE")
                    .type(String.class)
                    .description(key.description() + " Default: "
                            + (key.defaultValue().isEmpty() ? "(empty)" : key.defaultValue()) + ".")
                    .build());
        }
    }

    /** The key flags given on the command line, by key name. */
    Map<String, String> flags() {
        Map<String, String> flags = new LinkedHashMap<>();
        for (ConfigKey key : ConfigKey.ALL) {
            OptionSpec option = command.findOption(key.flag());
            if (option != null && command.commandLine().getParseResult().hasMatchedOption(option)) {
                flags.put(key.name(), option.getValue());
            }
        }
        return flags;
    }

    /** Loads the configuration from defaults, the file, the environment and the flags. */
    ServerConfig load() {
        return source().load();
    }

    /** The sources of the configuration, captured now: a reload of the server reads the same ones again. */
    ConfigSource source() {
        Map<String, String> env = System.getenv();
        return new ConfigSource(ConfigLoader.home(env), configFile, env, flags());
    }

    /** The same options as arguments, to hand to a child process. */
    List<String> asArguments() {
        List<String> args = new ArrayList<>();
        if (configFile != null) {
            args.add("--config=" + configFile.toAbsolutePath());
        }
        flags().forEach((key, value) -> args.add("--" + key + "=" + value));
        return args;
    }
}
