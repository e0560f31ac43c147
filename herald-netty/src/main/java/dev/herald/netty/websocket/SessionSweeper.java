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

    /** Sweeps the connections of {@code loop}, reading the timeouts from {@code config} on every sweep. */
    SessionSweeper(EventLoop loop, Supplier<WebSocketConfig> config) {
        this.loop = loop;
        this.outbox = new LoopOutbox(loop);
        this.config = config;
        this.now = clock();
        scheduleNext(config.get());
    }

    /** A quarter of the shortest timeout, between 10 ms and 1 s: the timing precision. */
    static long interval(WebSocketConfig config) {
        long shortest = Math.min(
                config.pingInterval().toMillis(),
                Math.min(config.pongTimeout().toMillis(), config.bindTimeout().toMillis()));
        return Math.max(10, Math.min(1000, shortest / 4));
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

    private void sweep() {
        now = clock();
        WebSocketConfig current = config.get();
        long pingIntervalMillis = current.pingInterval().toMillis();
        long pongTimeoutMillis = current.pongTimeout().toMillis();
        long bindTimeoutMillis = current.bindTimeout().toMillis();
        try {
            for (int i = size - 1; i >= 0; i--) {
                if (i < size) {
                    sessions[i].sweep(now, pingIntervalMillis, pongTimeoutMillis, bindTimeoutMillis);
                }
            }
        } finally {
            scheduleNext(current);
        }
    }

    /** One sweep at a time, each scheduling the next, so a reloaded timeout also changes the pace. */
    private void scheduleNext(WebSocketConfig current) {
        if (loop.isShuttingDown()) {
            return;
        }
        try {
            loop.schedule(this::sweep, interval(current), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the loop is stopping: its connections are being closed
        }
    }

    private static long clock() {
        return System.nanoTime() / 1_000_000;
    }
}
