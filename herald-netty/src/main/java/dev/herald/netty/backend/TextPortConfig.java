package dev.herald.netty.backend;

import java.time.Duration;
import java.util.Objects;

/**
 * The Text port's settings (config keys {@code text.*}, documented in the README).
 *
 * @param host address to listen on; loopback by default, so only this machine can push
 * @param port port to listen on; 0 picks a free one
 * @param maxLineBytes longest line accepted, without its line ending; a longer one is answered with
 *     {@code error line_too_long} and the connection is closed
 * @param readTimeout how long a connection may stop in the middle of a line before it is answered
 *     {@code error read_timeout} and closed (between lines it may be idle for ever)
 */
public record TextPortConfig(String host, int port, int maxLineBytes, Duration readTimeout) {

    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);

    /** The settings with the default read timeout. */
    public TextPortConfig(String host, int port, int maxLineBytes) {
        this(host, port, maxLineBytes, DEFAULT_READ_TIMEOUT);
    }

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 5678;
    public static final int DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

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
    }

    public static TextPortConfig defaults() {
        return new TextPortConfig(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_MAX_LINE_BYTES);
    }
}
