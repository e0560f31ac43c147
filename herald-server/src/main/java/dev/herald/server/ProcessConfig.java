package dev.herald.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the server process (config keys {@code server.*}).
 *
 * @param ioThreads event loops of the WebSocket clients; 0 means one per processor
 * @param backendIoThreads event loops of the Text port and the HTTP API; 0: they share the client loops
 * @param shutdownTimeout how long {@code stop} drains before it forces the exit
 * @param pidFile where {@code start} writes the pid and {@code stop}/{@code status} read it
 */
public record ProcessConfig(int ioThreads, int backendIoThreads, Duration shutdownTimeout, Path pidFile) {

    public static final int DEFAULT_IO_THREADS = 0;
    public static final int DEFAULT_BACKEND_IO_THREADS = 1;
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);
    public static final String DEFAULT_PID_FILE = "run/herald.pid";

    public ProcessConfig {
        if (ioThreads < 0 || ioThreads > 1024) {
            throw new IllegalArgumentException("io-threads must be between 0 and 1024, was " + ioThreads);
        }
        if (backendIoThreads < 0 || backendIoThreads > 1024) {
            throw new IllegalArgumentException(
                    "backend-io-threads must be between 0 and 1024, was " + backendIoThreads);
        }
        if (shutdownTimeout == null || shutdownTimeout.isNegative() || shutdownTimeout.isZero()) {
            throw new IllegalArgumentException("shutdown-timeout must be a positive duration, was " + shutdownTimeout);
        }
        Objects.requireNonNull(pidFile, "pid-file");
    }
}
