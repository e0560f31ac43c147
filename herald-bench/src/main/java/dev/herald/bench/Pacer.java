package dev.herald.bench;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Paces an open-loop load at a fixed rate: every tick it sends, in one batch, what the schedule says is
 * due by now. Sends never wait for replies. What the sender cannot take (back-pressure) stays due; once
 * more than {@code maxBurst} is due the excess is skipped, so a stall never turns into a burst, and the
 * achieved rate ({@link #sent()} over the elapsed time) shows it. Not thread-safe: one pacing thread
 * ({@link #drive}) or one event loop ({@link #driveOn}), read by others once the schedule has ended.
 */
final class Pacer {

    /** Sends up to {@code n} items now and returns how many it sent (fewer under back-pressure). */
    @FunctionalInterface
    interface Batch {
        long send(long n);
    }

    static final long DEFAULT_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final double ratePerSecond;
    private final long startNanos;
    private final long maxBurst;
    private long sent;
    private long skipped;

    /**
     * @param ratePerSecond items per second, above 0
     * @param startNanos when the schedule starts, on the clock later passed to {@link #due}
     * @param maxBurst most items sent in one batch; at least 1
     */
    Pacer(double ratePerSecond, long startNanos, long maxBurst) {
        if (!(ratePerSecond > 0)) {
            throw new IllegalArgumentException("rate must be above 0: " + ratePerSecond);
        }
        this.ratePerSecond = ratePerSecond;
        this.startNanos = startNanos;
        this.maxBurst = Math.max(1, maxBurst);
    }

    /** A burst limit of {@code seconds} worth of the rate, at least one item. */
    static long burstOf(double ratePerSecond, double seconds) {
        return Math.max(1, (long) Math.ceil(ratePerSecond * seconds));
    }

    /**
     * Items the schedule has due by {@code nowNanos}, in total since the start: item i is due at {@code
     * i / rate} seconds, the first at the start, so a window of d seconds holds {@code ceil(d * rate)}.
     */
    long scheduled(long nowNanos) {
        if (nowNanos < startNanos) {
            return 0;
        }
        return (long) Math.floor((nowNanos - startNanos) * ratePerSecond / 1e9) + 1;
    }

    /**
     * How many to send now: what is due and not yet sent or skipped, at most {@code maxBurst}; more
     * than that is counted as skipped.
     */
    long due(long nowNanos) {
        long due = scheduled(nowNanos) - sent - skipped;
        if (due > maxBurst) {
            skipped += due - maxBurst;
            due = maxBurst;
        }
        return Math.max(0, due);
    }

    /**
     * When the next item is due: the start of the first item not yet sent or skipped (item i is due at
     * {@code i / rate} seconds after the start).
     */
    long nextDueNanos() {
        return startNanos + (long) Math.ceil((sent + skipped) * 1e9 / ratePerSecond);
    }

    /** Records that {@code n} items went out. */
    void sent(long n) {
        sent += n;
    }

    long sent() {
        return sent;
    }

    /** Items the schedule wanted that were never sent (the sender fell behind by more than a burst). */
    long skipped() {
        return skipped;
    }

    /**
     * Runs the schedule until {@code startNanos + durationNanos} on {@link System#nanoTime}, calling
     * {@code batch} once per tick with what is due, and returns the nanoTime it ended.
     */
    long drive(long durationNanos, long tickNanos, Batch batch) {
        long end = startNanos + durationNanos;
        long now = System.nanoTime();
        while (true) {
            // Items due strictly before the end belong to the window, the last one included.
            long n = due(Math.min(now, end - 1));
            if (n > 0) {
                sent(batch.send(n));
            }
            if (now >= end || Thread.currentThread().isInterrupted()) {
                return now;
            }
            LockSupport.parkNanos(Math.min(end, now + tickNanos) - System.nanoTime());
            now = System.nanoTime();
        }
    }

    /**
     * Runs the schedule as a task on {@code loop} until {@code startNanos + durationNanos}, calling
     * {@code batch} there with what is due: the batch writes from the loop that owns its connections, so
     * nothing is handed to another thread between the send time the batch stamps and the write. The task
     * runs again when the next item is due, but not sooner than {@code tickNanos} after this run: at
     * most one batch per tick, and no wake-up while nothing is due. Completes with the nanoTime it
     * ended, or with what {@code batch} threw.
     */
    CompletableFuture<Long> driveOn(EventExecutor loop, long durationNanos, long tickNanos, Batch batch) {
        long end = startNanos + durationNanos;
        CompletableFuture<Long> done = new CompletableFuture<>();
        Runnable tick = new Runnable() {
            @Override
            public void run() {
                long now = System.nanoTime();
                try {
                    long n = due(Math.min(now, end - 1));
                    if (n > 0) {
                        sent(batch.send(n));
                    }
                } catch (RuntimeException e) {
                    done.completeExceptionally(e);
                    return;
                }
                if (now >= end) {
                    done.complete(now);
                } else {
                    long next = Math.min(end, Math.max(now + tickNanos, nextDueNanos()));
                    loop.schedule(this, next - System.nanoTime(), TimeUnit.NANOSECONDS);
                }
            }
        };
        loop.execute(tick);
        return done;
    }

    /** Items per second actually sent over {@code elapsedNanos}. */
    double achieved(long elapsedNanos) {
        return elapsedNanos <= 0 ? 0 : sent * 1e9 / elapsedNanos;
    }
}
