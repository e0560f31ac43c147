package dev.herald.netty.backend;

import dev.herald.protocol.backend.BackendError;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the Text port since start. Thread-safe. */
public final class TextPortStats {

    final LongAdder lines = new LongAdder();
    /** Pushes by seed lines and by {@code push} and {@code broadcast} commands. */
    final PushCounts pushes = new PushCounts();

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
        return pushes.ok();
    }

    /** Seed pushes answered {@code fail} (uid offline). */
    public long fail() {
        return pushes.fail();
    }

    /**
     * Pushes answered with an error: seed lines answered {@code error …} (every seed line is a push), and
     * {@code push} or {@code broadcast} commands refused or failed (once per command, even for a batch).
     */
    public long error() {
        return pushes.error();
    }

    /**
     * Lines answered with {@code error}, by code: seed lines, and the refusals of the port itself
     * ({@code unauthorized}, {@code too_many_connections}, and {@code forbidden} or {@code rate_limited}
     * commands).
     */
    public Map<BackendError, Long> errors() {
        EnumMap<BackendError, Long> copy = new EnumMap<>(BackendError.class);
        errors.forEach((error, count) -> copy.put(error, count.sum()));
        return copy;
    }

    /** Seed lines answered {@code error} with one code. */
    public long errors(BackendError error) {
        return errors.get(error).sum();
    }

    /** Counts a refusal that is not a seed push (a connection refused, or a command refused). */
    void refused(BackendError code) {
        errors.get(code).increment();
    }

    /** Counts a seed line answered with an error. */
    void error(BackendError code) {
        errors.get(code).increment();
        pushes.failed();
    }
}
