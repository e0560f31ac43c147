package dev.herald.core;

import dev.herald.core.history.Publication;

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
     * Queues a message, at its position in the stream it reached this connection through. A seed
     * connection gets the message's bytes only; a positioned one ({@code herald.v1}) gets them with the
     * position.
     *
     * @return {@code true} if the message was queued (or the connection had it already); {@code false}
     *     if the connection is closed or was closed just now because its outbound queue overflowed
     *     ({@link CloseReason#SLOW})
     */
    boolean send(Publication publication);

    /**
     * Closes the connection with the reason's code and the given reason text (at most 123 UTF-8 bytes).
     * Idempotent: a closing or closed session ignores it.
     */
    void close(CloseReason reason, String text);

    /** How the client is connected, for connection queries: {@code websocket}, later {@code sse}… */
    default String transport() {
        return "websocket";
    }

    /** The client's address as {@code host:port}, for connection queries; {@code null} if unknown. */
    default String remoteAddress() {
        return null;
    }

    /** Closes the connection with the reason's code and its standard text. */
    default void close(CloseReason reason) {
        close(reason, reason.reason());
    }
}
