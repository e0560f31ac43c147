package dev.herald.netty.http;

import java.util.Objects;

/**
 * The HTTP listener's settings (config keys {@code http.*}): health, readiness and stats for
 * operators and {@code herald status}.
 *
 * @param host address to listen on; loopback by default
 * @param port port to listen on; 0 picks a free one
 */
public record HttpConfig(String host, int port) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 5679;

    public HttpConfig {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
        }
    }

    public static HttpConfig defaults() {
        return new HttpConfig(DEFAULT_HOST, DEFAULT_PORT);
    }
}
