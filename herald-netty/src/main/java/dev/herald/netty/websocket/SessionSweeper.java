package dev.herald.netty.websocket;

import dev.herald.core.CloseReason;
import io.netty.channel.EventLoop;
import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One periodic task per event loop that enforces the bind timeout, pings idle connections, drops those
 * that stop answering and finishes stalled close handshakes, instead of a timer per connection.
 *
 * <p>Each run (a tick, every {@link #interval} / {@value #SLICES}, 10 ms at least) visits the next
 * {@value #SLICES}th of the loop's connections, so every connection is visited once per interval (once
 * per 50 ms when the interval is shorter) while no run holds up the loop for long, and pings are paced
 * ({@link #pingBudget}).
 *
 * <p>Confined to its event loop: {@link #add}, {@link #remove} and {@link #now} are called only there.
 * The timeouts are read on every sweep, so a configuration reload applies to every open connection.
 */
final class SessionSweeper {

    private final Supplier<WebSocketConfig> config;
    private final EventLoop loop;
    private final LoopOutbox outbox;
    private WebSocketSession[] sessions = new WebSocketSession[64];
    private volatile int size;
    private long now;
    /** Where the next tick starts in {@link #sessions}. */
    private int cursor;

    /** Ticks per interval: each visits this share of the connections. */
    static final int SLICES = 5;

    /** Sweeps the connections of {@code loop}, reading the timeouts from {@code config} on every sweep. */
    SessionSweeper(EventLoop loop, Supplier<WebSocketConfig> config) {
        this.loop = loop;
        this.outbox = new LoopOutbox(loop);
        this.config = config;
        this.now = clock();
        scheduleNext(config.get());
    }

    /** Pings every tick may send whatever the pace: a small loop is never held back. */
    static final int MIN_PINGS_PER_SWEEP = 16;

    /** A quarter of the shortest timeout, between 10 and 250 ms: the timing precision. */
    static long interval(WebSocketConfig config) {
        long shortest = Math.min(
                config.pingInterval().toMillis(),
                Math.min(config.pongTimeout().toMillis(), config.bindTimeout().toMillis()));
        return Math.max(10, Math.min(250, shortest / 4));
    }

    /**
     * The pings one tick may send: twice the average pace (every connection once per ping interval),
     * so that connections that all went quiet at once (they opened together, or a broadcast reached
     * them all) are pinged over a few seconds instead of in one burst that holds up the loop. A ping
     * held back goes out in a later tick.
     */
    static int pingBudget(int connections, long tickMillis, long pingIntervalMillis) {
        long pace = 2L * connections * tickMillis / Math.max(1, pingIntervalMillis) + 1;
        return (int) Math.max(MIN_PINGS_PER_SWEEP, Math.min(Integer.MAX_VALUE, pace));
    }

    /** The clock as of the last sweep, in milliseconds: cheap enough to read on every frame. */
    long now() {
        return now;
    }

    void add(WebSocketSession session) {
        if (size == sessions.length) {
            sessions = Arrays.copyOf(sessions, size * 2);
        }
        session.sweepIndex = size;
        sessions[size++] = session;
    }

    void remove(WebSocketSession session) {
        int index = session.sweepIndex;
        if (index < 0) {
            return;
        }
        WebSocketSession last = sessions[--size];
        sessions[index] = last;
        last.sweepIndex = index;
        sessions[size] = null;
        session.sweepIndex = -1;
        if (sessions.length > 64 && size < sessions.length / 4) {
            sessions = Arrays.copyOf(sessions, sessions.length / 2);
        }
    }

    /** Connections on this loop; readable from any thread. */
    int size() {
        return size;
    }

    /** Where other threads queue frames for this loop's connections. */
    LoopOutbox outbox() {
        return outbox;
    }

    EventLoop loop() {
        return loop;
    }

    void closeAll(CloseReason reason) {
        for (int i = size - 1; i >= 0; i--) {
            if (i < size) {
                sessions[i].close(reason);
            }
        }
    }

    /** One tick: the next slice of the connections. */
    void sweep() {
        now = clock();
        WebSocketConfig current = config.get();
        long pingIntervalMillis = current.pingInterval().toMillis();
        long pongTimeoutMillis = current.pongTimeout().toMillis();
        long bindTimeoutMillis = current.bindTimeout().toMillis();
        int pings = pingBudget(size, tick(current), pingIntervalMillis);
        try {
            for (int visits = (size + SLICES - 1) / SLICES; visits > 0 && size > 0; visits--) {
                if (cursor >= size) {
                    cursor = 0;
                }
                WebSocketSession session = sessions[cursor];
                if (session.sweep(now, pingIntervalMillis, pongTimeoutMillis, bindTimeoutMillis, pings > 0)) {
                    pings--;
                }
                if (cursor < size && sessions[cursor] == session) {
                    cursor++; // else it left, and the last one took its place: visit that one next
                }
            }
        } finally {
            scheduleNext(current);
        }
    }

    /** The time between two ticks. */
    static long tick(WebSocketConfig config) {
        return Math.max(10, interval(config) / SLICES);
    }

    /** One sweep at a time, each scheduling the next, so a reloaded timeout also changes the pace. */
    private void scheduleNext(WebSocketConfig current) {
        if (loop.isShuttingDown()) {
            return;
        }
        try {
            loop.schedule(this::sweep, tick(current), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the loop is stopping: its connections are being closed
        }
    }

    private static long clock() {
        return System.nanoTime() / 1_000_000;
    }
}
