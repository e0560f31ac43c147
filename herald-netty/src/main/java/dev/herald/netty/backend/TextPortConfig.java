package dev.herald.netty.backend;

import dev.herald.protocol.backend.BackendKeys;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The Text port's settings (config keys {@code text.*}, documented in the README).
 *
 * @param host address to listen on; loopback by default, so only this machine can push
 * @param port port to listen on; 0 picks a free one
 * @param maxLineBytes longest line accepted, without its line ending; a longer one is answered with
 *     {@code error line_too_long} and the connection is closed
 * @param readTimeout how long a connection may stop in the middle of a line before it is answered
 *     {@code error read_timeout} and closed (between lines it may be idle for ever); also how long a
 *     connection has to send its {@code auth} line when {@code keys} are set
 * @param keys backend keys as written ({@code KEY}, {@code KEY:push}, {@code KEY:admin},
 *     {@code KEY:push+admin}); when any is set, the first line of a connection must be {@code auth KEY}
 * @param insecure whether a non-loopback {@code host} may listen without {@code keys}
 * @param maxConnections most open connections (0: no limit); one more is answered
 *     {@code error too_many_connections} and closed
 * @param maxPushesPerSecond pushes one connection may make per second, with a burst of one second's
 *     worth (0: no limit); one more is answered {@code error rate_limited} and not pushed
 */
public record TextPortConfig(
        String host,
        int port,
        int maxLineBytes,
        Duration readTimeout,
        List<String> keys,
        boolean insecure,
        int maxConnections,
        int maxPushesPerSecond) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 5678;
    public static final int DEFAULT_MAX_LINE_BYTES = 1024 * 1024;
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
    /** No limit on Text-port connections by default: backends are few and known. */
    public static final int DEFAULT_MAX_CONNECTIONS = 0;

    public static final int DEFAULT_MAX_PUSHES_PER_SECOND = 0;

    /** The settings with the default read timeout, no keys and no limits. */
    public TextPortConfig(String host, int port, int maxLineBytes) {
        this(host, port, maxLineBytes, DEFAULT_READ_TIMEOUT);
    }

    /** The settings with no keys and no limits. */
    public TextPortConfig(String host, int port, int maxLineBytes, Duration readTimeout) {
        this(host, port, maxLineBytes, readTimeout, List.of(), false, 0, 0);
    }

    public TextPortConfig {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
        }
        if (maxLineBytes < 64 || maxLineBytes > 256 * 1024 * 1024) {
            throw new IllegalArgumentException("max-line-bytes must be between 64 and 268435456, was " + maxLineBytes);
        }
        if (readTimeout.isNegative() || readTimeout.isZero()) {
            throw new IllegalArgumentException("read-timeout must be a positive duration, was " + readTimeout);
        }
        keys = List.copyOf(keys);
        try {
            BackendKeys.of(keys);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("keys: " + e.getMessage(), e);
        }
        if (maxConnections < 0) {
            throw new IllegalArgumentException("max-connections must be 0 (no limit) or more, was " + maxConnections);
        }
        if (maxPushesPerSecond < 0) {
            throw new IllegalArgumentException(
                    "max-pushes-per-second must be 0 (no limit) or more, was " + maxPushesPerSecond);
        }
    }

    /** The keys, parsed; empty when connections need no {@code auth} line. */
    public BackendKeys backendKeys() {
        return BackendKeys.of(keys);
    }

    public static TextPortConfig defaults() {
        return new TextPortConfig(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_MAX_LINE_BYTES);
    }
}
