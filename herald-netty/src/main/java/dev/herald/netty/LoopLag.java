package dev.herald.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * How late the event loops of one group run a task that was due: the time a push (or any other
 * task) can wait for a loop that is busy with something else, or for a collector's pause. Each loop
 * runs a tick every {@link #PERIOD_MILLIS} ms; a tick that runs later than due adds its lateness.
 *
 * <p>This is what tells a stall of the server from one of the network or of the client: a reconnect
 * storm, a long batch of ready sockets and a garbage collection all show here, and nothing else the
 * server counts shows them. Costs one scheduled task per loop per period.
 */
public final class LoopLag {

    /** How often each loop ticks. */
    static final long PERIOD_MILLIS = 50;
    /** The window of {@link #recentMaxNanos}: the highest lateness of this window and the one before. */
    static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final LongAdder lateNanos = new LongAdder();
    private final AtomicLong maxNanos = new AtomicLong();
    /** The window {@link #windowMax} belongs to, and the highest lateness of the window before it. */
    private long window;

    private long windowMax;
    private long previousWindowMax;

    private LoopLag() {}

    /** Starts ticking on every loop of the group; the ticks stop when the group shuts down. */
    static LoopLag watch(EventLoopGroup group) {
        LoopLag lag = new LoopLag();
        long period = TimeUnit.MILLISECONDS.toNanos(PERIOD_MILLIS);
        for (EventExecutor loop : group) {
            long[] due = {System.nanoTime() + period};
            loop.scheduleWithFixedDelay(
                    () -> {
                        long now = System.nanoTime();
                        lag.record(Math.max(0, now - due[0]), now);
                        due[0] = now + period;
                    },
                    PERIOD_MILLIS,
                    PERIOD_MILLIS,
                    TimeUnit.MILLISECONDS);
        }
        return lag;
    }

    private void record(long late, long now) {
        if (late <= 0) {
            return;
        }
        lateNanos.add(late);
        maxNanos.accumulateAndGet(late, Math::max);
        synchronized (this) {
            roll(now);
            windowMax = Math.max(windowMax, late);
        }
    }

    private void roll(long now) {
        long current = now / WINDOW_NANOS;
        if (current != window) {
            previousWindowMax = current == window + 1 ? windowMax : 0;
            windowMax = 0;
            window = current;
        }
    }

    /** Total lateness of all ticks since start, in nanoseconds: grows by the length of every stall. */
    public long lateNanos() {
        return lateNanos.sum();
    }

    /** The latest tick since start, in nanoseconds. */
    public long maxNanos() {
        return maxNanos.get();
    }

    /** The latest tick of the last 10 to 20 seconds, in nanoseconds. */
    public synchronized long recentMaxNanos() {
        roll(System.nanoTime());
        return Math.max(windowMax, previousWindowMax);
    }
}
