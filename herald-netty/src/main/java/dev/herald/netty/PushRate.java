package dev.herald.netty;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A token bucket of pushes: {@code rate} tokens a second, holding at most one second's worth (the
 * burst). A batch of N pushes takes N tokens; it passes while the bucket holds at least N, or is full
 * (so a batch larger than the rate passes once a second's worth has built up, and the bucket owes the
 * rest). The rate is given with each call, so a reload applies to the next push. Thread-safe.
 */
public final class PushRate {

    private static final long SECOND_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final LongSupplier nanoTime;
    private boolean started;
    private double tokens;
    private long refilledAt;

    public PushRate() {
        this(System::nanoTime);
    }

    /** A bucket on a given clock, for tests. */
    public PushRate(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /**
     * Takes {@code pushes} tokens.
     *
     * @param rate pushes per second; 0 or less: no limit (nothing is taken)
     * @return 0 if they were taken, else the whole seconds to wait before they would be (at least 1);
     *     nothing is taken then
     */
    public long take(int pushes, int rate) {
        if (rate <= 0 || pushes <= 0) {
            return 0; // no limit: no lock on the push path
        }
        return limited(pushes, rate);
    }

    private synchronized long limited(int pushes, int rate) {
        long now = nanoTime.getAsLong();
        if (!started) {
            started = true;
            tokens = rate;
        } else {
            tokens = Math.min(rate, tokens + (now - refilledAt) * (double) rate / SECOND_NANOS);
        }
        refilledAt = now;
        double needed = Math.min(pushes, rate);
        if (tokens >= needed) {
            tokens -= pushes;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((needed - tokens) / rate));
    }
}
