package dev.herald.core;

/**
 * One client connection as the core sees it. Transports (WebSocket today; SSE and long-polling later)
 * implement it; the core never sees a socket.
 *
 * <p>All methods are thread-safe and never block: the core calls them from whatever thread a push
 * arrives on.
 */
public interface Session {

    /** The id of this connection, unique within this node for the life of the process. */
    SessionId id();

    /**
     * Queues a message for this connection.
     *
     * @return {@code true} if the message was queued; {@code false} if the connection is closed or
     *     was closed just now because its outbound queue overflowed ({@link CloseReason#SLOW})
     */
    boolean send(Message message);

    /**
     * Closes the connection with the reason's code and the given reason text (at most 123 UTF-8 bytes).
     * Idempotent: a closing or closed session ignores it.
     */
    void close(CloseReason reason, String text);

    /** Closes the connection with the reason's code and its standard text. */
    default void close(CloseReason reason) {
        close(reason, reason.reason());
    }
}
