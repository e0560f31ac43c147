package dev.herald.netty.websocket;

/**
 * Limits on client connections (config keys {@code websocket.max-connections*}, {@code
 * websocket.max-messages-per-second}, {@code websocket.max-handshakes-*}, documented in the README). 0
 * means no limit. All are read per use, so a reload applies them at once.
 *
 * @param maxConnections open client connections of the node; handshakes past it get 503
 * @param maxConnectionsPerIp open connections from one IP address; handshakes past it get 429
 * @param maxConnectionsPerUid connections bound to one uid; a newer one is closed with 4505
 * @param maxMessagesPerSecond frames a client may send in one second; past it the connection is
 *     closed with 4506
 * @param maxHandshakesPerSecond handshakes admitted per second (a token bucket holding one second's
 *     worth); past it 503 with {@code Retry-After}
 * @param maxHandshakesInFlight connections admitted and not bound yet (a token or a hello being
 *     answered); past it 503 with {@code Retry-After}
 */
public record ClientLimits(
        int maxConnections,
        int maxConnectionsPerIp,
        int maxConnectionsPerUid,
        int maxMessagesPerSecond,
        int maxHandshakesPerSecond,
        int maxHandshakesInFlight) {

    public static final int DEFAULT_MAX_MESSAGES_PER_SECOND = 200;

    public static final ClientLimits NONE = new ClientLimits(0, 0, 0, 0, 0, 0);

    public ClientLimits {
        WebSocketConfig.requireRange("max-connections", maxConnections, 0, Integer.MAX_VALUE);
        WebSocketConfig.requireRange("max-connections-per-ip", maxConnectionsPerIp, 0, Integer.MAX_VALUE);
        WebSocketConfig.requireRange("max-connections-per-uid", maxConnectionsPerUid, 0, Integer.MAX_VALUE);
        WebSocketConfig.requireRange("max-messages-per-second", maxMessagesPerSecond, 0, Integer.MAX_VALUE);
        WebSocketConfig.requireRange("max-handshakes-per-second", maxHandshakesPerSecond, 0, Integer.MAX_VALUE);
        WebSocketConfig.requireRange("max-handshakes-in-flight", maxHandshakesInFlight, 0, Integer.MAX_VALUE);
    }

    public static ClientLimits defaults() {
        return new ClientLimits(0, 0, 0, DEFAULT_MAX_MESSAGES_PER_SECOND, 0, 0);
    }
}
