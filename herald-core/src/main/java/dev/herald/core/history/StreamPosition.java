package dev.herald.core.history;

import java.util.Objects;

/**
 * Where a message sits in its stream: the stream's {@code epoch} (a random id that changes whenever
 * the stream's history is lost) and the message's {@code offset} (1 for a stream's first message, one
 * more for each message after it).
 */
public record StreamPosition(String epoch, long offset) {

    public StreamPosition {
        Objects.requireNonNull(epoch, "epoch");
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative, was " + offset);
        }
    }
}
