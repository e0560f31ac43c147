package dev.herald.server;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where a server's configuration comes from: the Herald home, the config file, the environment and the
 * command-line flags, captured when it starts so that a reload reads the same sources again.
 *
 * @param home base of relative paths
 * @param file YAML file, or {@code null} to use {@code $HERALD_CONFIG} from {@code env} if set
 * @param env environment variables (a copy: the process's own cannot change anyway)
 * @param flags config values given on the command line, by key name
 */
public record ConfigSource(Path home, Path file, Map<String, String> env, Map<String, String> flags) {

    public ConfigSource {
        file = file == null ? null : file.toAbsolutePath();
        env = Map.copyOf(env);
        flags = Map.copyOf(flags);
    }

    /**
     * Reads the sources and builds the configuration.
     *
     * @throws ConfigException naming the key or file at fault
     */
    public ServerConfig load() {
        return ConfigLoader.build(values(), home);
    }

    /** Every key's value as the sources give it now, unparsed. */
    Map<String, String> values() {
        return ConfigLoader.values(file, env, flags);
    }
}
