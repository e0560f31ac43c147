package dev.herald.server;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * Logging settings (config keys {@code log.*}).
 *
 * @param level root level: error, warn, info, debug or trace
 * @param file log file, or {@code null}: the console in the foreground, {@code logs/herald.log} for
 *     a daemon
 * @param format {@code text} (one readable line per event) or {@code json} (one JSON object per line)
 */
public record LogConfig(String level, Path file, String format) {

    public static final String DEFAULT_LEVEL = "info";
    public static final String DEFAULT_DAEMON_FILE = "logs/herald.log";
    private static final Set<String> LEVELS = Set.of("error", "warn", "info", "debug", "trace");

    /** Where to log: {@link #file()} if set; else the console, or {@code home/logs/herald.log} for a daemon. */
    public Path fileFor(boolean daemon, Path home) {
        if (file != null) {
            return file;
        }
        return daemon ? home.resolve(DEFAULT_DAEMON_FILE) : null;
    }

    public LogConfig {
        level = level.toLowerCase(Locale.ROOT);
        if (!LEVELS.contains(level)) {
            throw new IllegalArgumentException("level must be one of error, warn, info, debug, trace, was " + level);
        }
        format = format.toLowerCase(Locale.ROOT);
        if (!format.equals("text") && !format.equals("json")) {
            throw new IllegalArgumentException("format must be text or json, was " + format);
        }
    }
}
