package dev.herald.core;

import java.util.Objects;

/** Where a message goes. */
public sealed interface Target {

    /** Every connection bound to {@code uid} on every node. */
    record ToUid(String uid) implements Target {
        public ToUid {
            Objects.requireNonNull(uid, "uid");
        }
    }

    /** Every bound connection. */
    record ToAll() implements Target {}

    static Target uid(String uid) {
        return new ToUid(uid);
    }

    static Target all() {
        return ALL;
    }

    Target ALL = new ToAll();
}
