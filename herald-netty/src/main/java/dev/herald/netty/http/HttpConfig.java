package dev.herald.netty.http;

import dev.herald.protocol.backend.BackendKeys;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The HTTP listener's settings (config keys {@code http.*}): the backend API, metrics, health.
 *
 * @param host address to listen on; loopback by default
 * @param port port to listen on; 0 picks a free one
 * @param apiKeys keys accepted as {@code Authorization: Bearer <key>} on {@code /api/*}, {@code /stats}
 *     and {@code /admin/reload}, as written ({@code KEY}, {@code KEY:push}, {@code KEY:admin},
 *     {@code KEY:push+admin}); with none, those answer only requests from loopback
 * @param maxBodyBytes largest request body; larger ones are refused with 413
 * @param readTimeout how long a connection may stop in the middle of a request before it is answered
 *     408 and closed (between requests it may be idle)
 * @param maxPushesPerSecond pushes per second per API key (all keyless loopback callers share one
 *     budget), with a burst of one second's worth (0: no limit); past it 429 {@code rate_limited}
 */
public record HttpConfig(
        String host, int port, List<String> apiKeys, int maxBodyBytes, Duration readTimeout, int maxPushesPerSecond) {

    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_PUSHES_PER_SECOND = 0;

    /** The settings with the default read timeout. */
    public HttpConfig(String host, int port, List<String> apiKeys, int maxBodyBytes) {
        this(host, port, apiKeys, maxBodyBytes, DEFAULT_READ_TIMEOUT);
    }

    /** The settings with no push rate limit. */
    public HttpConfig(String host, int port, List<String> apiKeys, int maxBodyBytes, Duration readTimeout) {
        this(host, port, apiKeys, maxBodyBytes, readTimeout, DEFAULT_MAX_PUSHES_PER_SECOND);
    }

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 5679;
    public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

    public HttpConfig {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
        }
        apiKeys = List.copyOf(apiKeys);
        try {
            BackendKeys.of(apiKeys);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("api-keys: " + e.getMessage(), e);
        }
        if (maxBodyBytes < 1024 || maxBodyBytes > 256 * 1024 * 1024) {
            throw new IllegalArgumentException(
                    "max-body-bytes must be between 1024 and 268435456, was " + maxBodyBytes);
        }
        if (readTimeout.isNegative() || readTimeout.isZero()) {
            throw new IllegalArgumentException("read-timeout must be a positive duration, was " + readTimeout);
        }
        if (maxPushesPerSecond < 0) {
            throw new IllegalArgumentException(
                    "max-pushes-per-second must be 0 (no limit) or more, was " + maxPushesPerSecond);
        }
    }

    public static HttpConfig defaults() {
        return new HttpConfig(DEFAULT_HOST, DEFAULT_PORT, List.of(), DEFAULT_MAX_BODY_BYTES);
    }
}
