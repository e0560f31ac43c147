package dev.herald.netty;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets one log line through per interval, for events that can come in storms (a refused flood is one
 * INFO line every 10 s, not one per refusal). Thread-safe.
 */
public final class LogThrottle {

    /** The interval of refusal logs: at most one INFO line per 10 s per cause. */
    public static final long DEFAULT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final long intervalNanos;
    private final AtomicLong last;

    public LogThrottle() {
        this(DEFAULT_INTERVAL_NANOS);
    }

    public LogThrottle(long intervalNanos) {
        this.intervalNanos = intervalNanos;
        this.last = new AtomicLong(System.nanoTime() - intervalNanos);
    }

    /** Whether a line may be logged now; {@code true} at most once per interval. */
    public boolean allows() {
        long now = System.nanoTime();
        long before = last.get();
        return now - before >= intervalNanos && last.compareAndSet(before, now);
    }
}
