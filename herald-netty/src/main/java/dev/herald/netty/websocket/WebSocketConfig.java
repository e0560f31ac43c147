package dev.herald.netty.websocket;

import java.time.Duration;
import java.util.Objects;

/**
 * The WebSocket listener's settings (config keys {@code websocket.*}, documented in the README).
 *
 * @param host address to listen on
 * @param port port to listen on; 0 picks a free one
 * @param maxMessageBytes largest message a client may send, after reassembly of fragments and
 *     decompression; larger ones close the connection with 1009
 * @param maxUidBytes longest uid in UTF-8 bytes; longer ones close with 4500
 * @param compression whether to offer permessage-deflate (no context takeover on the server side)
 * @param compressionLevel deflate level 1-9 when compression is on
 * @param pingInterval a connection silent this long is pinged
 * @param pongTimeout a pinged connection silent this long after the ping is closed with 4002
 * @param bindTimeout a connection that has not sent its uid this long after accept is closed with
 *     4001
 * @param maxOutboundBytes bytes queued for one connection beyond which it is closed as slow (4003)
 * @param clientGroups whether a bound client may join and leave groups itself ({@code join <group>},
 *     {@code leave <group>} text messages)
 * @param allowedOrigins which pages may open a connection ({@code Origin}); others get 403
 * @param limits caps on connections, messages and handshakes
 */
public record WebSocketConfig(
        String host,
        int port,
        int maxMessageBytes,
        int maxUidBytes,
        boolean compression,
        int compressionLevel,
        Duration pingInterval,
        Duration pongTimeout,
        Duration bindTimeout,
        int maxOutboundBytes,
        boolean clientGroups,
        AllowedOrigins allowedOrigins,
        ClientLimits limits) {

    public static final String DEFAULT_HOST = "0.0.0.0";
    public static final int DEFAULT_PORT = 1234;
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_UID_BYTES = 128;
    public static final boolean DEFAULT_COMPRESSION = false;
    public static final int DEFAULT_COMPRESSION_LEVEL = 6;
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(25);
    public static final Duration DEFAULT_PONG_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_BIND_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_OUTBOUND_BYTES = 1024 * 1024;
    public static final boolean DEFAULT_CLIENT_GROUPS = false;

    public WebSocketConfig {
        Objects.requireNonNull(host, "host");
        requireRange("port", port, 0, 65535);
        requireRange("max-message-bytes", maxMessageBytes, 1, 64 * 1024 * 1024);
        requireRange("max-uid-bytes", maxUidBytes, 1, 65536);
        requireRange("compression-level", compressionLevel, 1, 9);
        requirePositive("ping-interval", pingInterval);
        requirePositive("pong-timeout", pongTimeout);
        requirePositive("bind-timeout", bindTimeout);
        requireRange("max-outbound-bytes", maxOutboundBytes, 1024, Integer.MAX_VALUE);
        Objects.requireNonNull(allowedOrigins, "allowedOrigins");
        Objects.requireNonNull(limits, "limits");
    }

    public static WebSocketConfig defaults() {
        return new WebSocketConfig(
                DEFAULT_HOST,
                DEFAULT_PORT,
                DEFAULT_MAX_MESSAGE_BYTES,
                DEFAULT_MAX_UID_BYTES,
                DEFAULT_COMPRESSION,
                DEFAULT_COMPRESSION_LEVEL,
                DEFAULT_PING_INTERVAL,
                DEFAULT_PONG_TIMEOUT,
                DEFAULT_BIND_TIMEOUT,
                DEFAULT_MAX_OUTBOUND_BYTES,
                DEFAULT_CLIENT_GROUPS,
                AllowedOrigins.ANY,
                ClientLimits.defaults());
    }

    static void requireRange(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + " must be between " + min + " and " + max + ", was " + value);
        }
    }

    static void requirePositive(String key, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + " must be a positive duration, was " + value);
        }
    }
}
