package dev.herald.core;

/**
 * Why the server closes a client connection: the one code table of Herald (see docs/protocol.md).
 *
 * <p>Codes 4000–4499 mean "reconnecting may succeed"; 4500–4999 mean "do not reconnect with the
 * same request". Standard RFC 6455 codes keep their meaning.
 */
public enum CloseReason {
    /** The server is stopping or restarting. */
    SHUTDOWN(1001, "server shutting down", true),
    /** A frame broke RFC 6455. */
    PROTOCOL_ERROR(1002, "protocol error", false),
    /** A text frame held invalid UTF-8. */
    INVALID_UTF8(1007, "invalid UTF-8", false),
    /** A message was larger than {@code websocket.max-message-bytes}. */
    MESSAGE_TOO_BIG(1009, "message too big", false),
    /** An unexpected server error. */
    INTERNAL_ERROR(1011, "internal error", true),
    /** The server cannot take the request just now (the keys of a JWKS URL could not be fetched). */
    TRY_AGAIN_LATER(1013, "try again later", true),
    /** No uid arrived within {@code websocket.bind-timeout}. */
    BIND_TIMEOUT(4001, "bind timeout", true),
    /** The client did not answer pings within {@code websocket.pong-timeout}. */
    NO_PONG(4002, "no pong", true),
    /** The connection's outbound queue passed {@code websocket.max-outbound-bytes}. */
    SLOW(4003, "slow consumer", true),
    /**
     * The connect token expired: at bind (past {@code exp} and the clock skew allowed), or while the
     * connection was open and its client did not refresh it. Reconnect with a fresh token.
     */
    TOKEN_EXPIRED(4004, "token expired", true),
    /** The uid was empty or longer than {@code websocket.max-uid-bytes}. */
    INVALID_UID(4500, "invalid uid", false),
    /** A backend kicked the connection (its uid, or the connection itself); the reason text is the backend's. */
    KICKED(4501, "kicked", false),
    /**
     * A {@code herald.v1} client broke the protocol: a first message that is not a valid hello, or a
     * message that is not JSON. The reason text says what was wrong.
     */
    INVALID_MESSAGE(4502, "invalid message", false),
    /**
     * The connect token was refused: not a JWT, a bad signature, an algorithm or key not accepted, a
     * wrong audience or issuer, no {@code sub}, too long. The reason text says which.
     */
    INVALID_TOKEN(4503, "invalid token", false),
    /** Tokens are required ({@code auth.*} keys set) and the client sent a bare uid. */
    TOKEN_REQUIRED(4504, "token required", false),
    /** The uid has {@code websocket.max-connections-per-uid} connections already: the newest is refused. */
    TOO_MANY_CONNECTIONS(4505, "too many connections for this uid", false),
    /** The client sent more than {@code websocket.max-messages-per-second} frames in one second. */
    FLOOD(4506, "too many messages", false);

    private final int code;
    private final String reason;
    private final boolean reconnect;

    CloseReason(int code, String reason, boolean reconnect) {
        this.code = code;
        this.reason = reason;
        this.reconnect = reconnect;
    }

    /** The WebSocket close code. */
    public int code() {
        return code;
    }

    /** The close frame's reason text (ASCII, under 123 bytes). */
    public String reason() {
        return reason;
    }

    /** Whether a client may reconnect with the same request and expect it to work. */
    public boolean reconnect() {
        return reconnect;
    }
}
