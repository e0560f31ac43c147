package dev.herald.netty.backend;

import dev.herald.protocol.backend.BackendError;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the Text port since start. Thread-safe. */
public final class TextPortStats {

    final LongAdder lines = new LongAdder();
    final LongAdder ok = new LongAdder();
    final LongAdder fail = new LongAdder();
    private final EnumMap<BackendError, LongAdder> errors = new EnumMap<>(BackendError.class);

    public TextPortStats() {
        for (BackendError error : BackendError.values()) {
            errors.put(error, new LongAdder());
        }
    }

    /** Lines received. */
    public long lines() {
        return lines.sum();
    }

    /** Seed pushes answered {@code ok}. */
    public long ok() {
        return ok.sum();
    }

    /** Seed pushes answered {@code fail} (uid offline). */
    public long fail() {
        return fail.sum();
    }

    /** Lines answered with {@code error}, by code. */
    public Map<BackendError, Long> errors() {
        EnumMap<BackendError, Long> copy = new EnumMap<>(BackendError.class);
        errors.forEach((error, count) -> copy.put(error, count.sum()));
        return copy;
    }

    /** Counts a push made by a command ({@code push}, {@code broadcast}) as ok or fail. */
    void pushed(dev.herald.core.PushResult result) {
        (result.delivered() ? ok : fail).increment();
    }

    void error(BackendError error) {
        errors.get(error).increment();
    }
}
