package dev.herald.protocol.backend;

import java.util.Objects;

/**
 * A backend's request, decoded from one Text-port line (and, later, from HTTP): the one model both
 * backend adapters share.
 */
public sealed interface BackendCommand {

    /**
     * The seed's push: forward {@code line}, unchanged, to every connection of {@code uid}; reply
     * {@code ok} if one got it, else {@code fail}.
     */
    record SeedPush(String uid, byte[] line) implements BackendCommand {
        public SeedPush {
            Objects.requireNonNull(uid, "uid");
            Objects.requireNonNull(line, "line");
        }
    }

    /** A request that could not be understood; the reply is an error, the connection stays. */
    record Invalid(BackendError error, String detail) implements BackendCommand {}
}
