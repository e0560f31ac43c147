package dev.herald.core;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/** The id of one connection: a node-local sequence number, printed in base 36. */
public record SessionId(long value) {

    private static final AtomicLong SEQUENCE = new AtomicLong();

    /** A new id, never returned before by this process. */
    public static SessionId next() {
        return new SessionId(SEQUENCE.incrementAndGet());
    }

    /**
     * The id printed by {@link #toString()}, or {@code null} if {@code text} is not exactly such a
     * text: {@code "2S"} or {@code "02s"} name no connection, as they match none in an exclusion.
     */
    public static SessionId parse(String text) {
        try {
            SessionId id = new SessionId(Long.parseLong(text, 36));
            return id.toString().equals(text) ? id : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The ids among the texts that name connections (see {@link #parse}); others are left out. */
    public static Set<SessionId> parseAll(Set<String> texts) {
        if (texts.isEmpty()) {
            return Set.of();
        }
        Set<SessionId> ids = new HashSet<>();
        for (String text : texts) {
            SessionId id = parse(text);
            if (id != null) {
                ids.add(id);
            }
        }
        return ids;
    }

    @Override
    public String toString() {
        return Long.toString(value, 36);
    }
}
