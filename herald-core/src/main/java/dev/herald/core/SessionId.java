package dev.herald.core;

import java.util.concurrent.atomic.AtomicLong;

/** The id of one connection: a node-local sequence number, printed in base 36. */
public record SessionId(long value) {

    private static final AtomicLong SEQUENCE = new AtomicLong();

    /** A new id, never returned before by this process. */
    public static SessionId next() {
        return new SessionId(SEQUENCE.incrementAndGet());
    }

    /** The id printed by {@link #toString()}, or {@code null} if {@code text} is not one. */
    public static SessionId parse(String text) {
        try {
            return new SessionId(Long.parseLong(text, 36));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return Long.toString(value, 36);
    }
}
