package dev.herald.netty.websocket;

import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.util.internal.PlatformDependent;
import java.util.ArrayList;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The frames that pushes hand to the connections of one event loop, written by one task per burst
 * instead of one task per connection, with one flush per connection per burst.
 *
 * <p>A broadcast to 10,000 connections spread over two loops wakes each loop once; a run of pushes to
 * the same connection is flushed once. {@link #offer} is thread-safe and lock-free (a multi-producer
 * queue); the drain runs on the loop. Frames to one connection keep the order of their offers from
 * any one thread.
 */
class LoopOutbox implements Runnable {

    /**
     * One frame for one connection: a shared frame, or the message to encode on the loop; {@code bytes}
     * is the frame's size. {@code promise} is {@code null} unless the write is measured.
     */
    private record Delivery(WebSocketSession session, Object frameOrMessage, int bytes, ChannelPromise promise) {}

    private final EventLoop loop;
    private final Queue<Delivery> queue = PlatformDependent.newMpscQueue();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final ArrayList<WebSocketSession> written = new ArrayList<>();

    LoopOutbox(EventLoop loop) {
        this.loop = loop;
    }

    /** Queues a frame (or a message to encode) for a connection of this loop; the loop writes it soon, flushed. */
    void offer(WebSocketSession session, Object frameOrMessage, int bytes, ChannelPromise promise) {
        queue.offer(new Delivery(session, frameOrMessage, bytes, promise));
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            loop.execute(this);
        }
    }

    /**
     * Flushes a connection that was written to on this loop at the end of the loop's current round of
     * work, with every other connection written to meanwhile: a broadcast that runs on the loop writes
     * all its connections first, then flushes them, instead of a system call per connection while it
     * still has others to reach. On the loop only.
     */
    void flushSoon(WebSocketSession session) {
        if (!session.flushPending) {
            session.flushPending = true;
            written.add(session);
        }
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            loop.execute(this);
        }
    }

    /** Whether the calling thread is this outbox's event loop (a seam for tests that play another thread). */
    boolean inLoop() {
        return loop.inEventLoop();
    }

    /** Whether nothing waits to be written: no frame queued and no drain scheduled. */
    boolean isIdle() {
        return !scheduled.get() && queue.isEmpty();
    }

    /** Writes everything queued, then flushes each connection written to once. */
    @Override
    public final void run() {
        scheduled.set(false); // offers from now on schedule another run; this one drains what is there
        Delivery delivery;
        while ((delivery = queue.poll()) != null) {
            WebSocketSession session = delivery.session();
            session.write(delivery.frameOrMessage(), delivery.bytes(), delivery.promise());
            if (!session.flushPending) {
                session.flushPending = true;
                written.add(session);
            }
        }
        for (int i = 0; i < written.size(); i++) {
            WebSocketSession session = written.get(i);
            session.flushPending = false;
            session.flush();
        }
        written.clear();
    }
}
