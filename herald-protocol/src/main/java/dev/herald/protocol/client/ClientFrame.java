package dev.herald.protocol.client;

import dev.herald.core.history.StreamPosition;
import java.util.Map;
import java.util.Objects;

/**
 * A message from a {@code herald.v1} client (docs/protocol.md §4), as {@link ClientJson#parse} reads it.
 */
public sealed interface ClientFrame {

    /**
     * The first message: who the client is and where it is in each stream it has seen.
     *
     * @param uid the uid to bind, not yet validated against the uid rules; {@code null} when a token
     *     says who the client is
     * @param token a connect token, or {@code null}; at least one of uid and token is given
     * @param streams the client's position in each stream, by stream name (may be empty)
     */
    record Hello(String uid, String token, Map<String, StreamPosition> streams) implements ClientFrame {
        public Hello {
            if (uid == null && token == null) {
                throw new IllegalArgumentException("a hello names a uid or a token");
            }
            streams = Map.copyOf(streams);
        }

        /** A hello with a bare uid. */
        public Hello(String uid, Map<String, StreamPosition> streams) {
            this(Objects.requireNonNull(uid, "uid"), null, streams);
        }
    }

    /** A fresh connect token for the bound connection, before its token expires. */
    record Refresh(String token) implements ClientFrame {
        public Refresh {
            Objects.requireNonNull(token, "token");
        }
    }

    /** The client has processed every message up to these offsets, by stream (cumulative). */
    record Ack(Map<String, Long> streams) implements ClientFrame {
        public Ack {
            streams = Map.copyOf(streams);
        }
    }

    /** The answer to a server {@code ping}. */
    record Pong() implements ClientFrame {}

    /**
     * A message that could not be read.
     *
     * @param fatal whether the connection must close (not JSON, not an object, a broken hello) rather
     *     than get an {@code error} message back (an unknown type, a bad ack)
     */
    record Invalid(String reason, boolean fatal) implements ClientFrame {}
}
