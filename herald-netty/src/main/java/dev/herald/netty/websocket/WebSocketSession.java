package dev.herald.netty.websocket;

import dev.herald.core.CloseReason;
import dev.herald.core.Encoding;
import dev.herald.core.Message;
import dev.herald.core.Receipt;
import dev.herald.core.Session;
import dev.herald.core.SessionId;
import dev.herald.core.history.Publication;
import dev.herald.core.history.Subscriber;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WebSocket connection as a core {@link Session}.
 *
 * <p>{@link #send} and {@link #close} are thread-safe and never block. {@link #send} writes the shared
 * frame at once when it runs on the connection's own event loop and none of the connection's frames
 * wait in the loop's {@link LoopOutbox}; from any other thread it hands the frame to that outbox. The channel's buffer and the frames waiting in the
 * outbox are each bounded by the channel's write-buffer high watermark ({@code
 * websocket.max-outbound-bytes}): a send that finds either full closes the connection as {@link
 * CloseReason#SLOW} instead of queueing more.
 * Sampled sends report their push-to-write latency to {@link WebSocketStats}.
 *
 * <p>The timing fields belong to the channel's event loop and its {@link SessionSweeper}.
 */
public final class WebSocketSession implements Session {

    private static final Logger log = LoggerFactory.getLogger(WebSocketSession.class);
    private static final AtomicIntegerFieldUpdater<WebSocketSession> CLOSING =
            AtomicIntegerFieldUpdater.newUpdater(WebSocketSession.class, "closing");
    private static final AtomicIntegerFieldUpdater<WebSocketSession> IN_FLIGHT =
            AtomicIntegerFieldUpdater.newUpdater(WebSocketSession.class, "inFlight");
    private static final AtomicLongFieldUpdater<WebSocketSession> QUEUED =
            AtomicLongFieldUpdater.newUpdater(WebSocketSession.class, "queued");

    /**
     * Pings come up to a fifth of {@code ping-interval} early, by a fraction drawn per connection
     * ({@code pingSpread / PING_SPREAD_SCALE}), so that connections that opened together are not all
     * pinged in the same sweep.
     */
    private static final int PING_SPREAD_SCALE = 5 * 1024;

    /** How long a close handshake may take before the TCP connection is dropped. */
    static final long CLOSE_TIMEOUT_MILLIS = 2000;

    private final SessionId id = SessionId.next();
    private final Channel channel;
    private final WebSocketStats stats;
    private volatile int closing;
    /** Bytes of frames offered to the outbox and not yet handed to the channel. */
    private volatile long queued;
    /** The shared frame form this connection receives: plain, or deflated if it negotiated compression. */
    private volatile Encoding<ByteBuf> frames = WebSocketFrames.TEXT;

    /** The positions of a {@code herald.v1} connection (or a seed one's inbox); {@code null}: the seed's protocol. */
    private volatile Subscriber subscriber;
    /** Whether the connection negotiated {@code herald.v1} (pings are then its JSON pings). */
    boolean v1;

    /** The outbox of this channel's event loop: sends from any thread go through it. */
    private final LoopOutbox outbox;
    /**
     * Where pre-encoded frames are written: once handshaken, the context of the connection's only
     * handler, so they go straight to the socket; before that (and in tests) the channel.
     */
    private ChannelOutboundInvoker rawWriter;

    // Event-loop confined, driven by SessionSweeper and LoopOutbox.
    boolean flushPending;
    /** A close frame went out (or the peer's close is being answered): no data frame may follow it. */
    private boolean closeWritten;

    boolean handshaken;
    boolean bound;
    /** 1 while admission control counts the connection as in flight (admitted, not bound yet). */
    volatile int inFlight;

    /** Closes the connection when its connect token expires; {@code null}: no token, or one without exp. */
    ScheduledFuture<?> expiry;
    /** The uid this connection is bound to (for receipts); set by the handler at the bind. */
    volatile String uid;

    long openedAt;
    long lastReadAt;
    long pingSentAt;
    long closingAt;
    int sweepIndex = -1;
    private final short pingSpread = (short) ThreadLocalRandom.current().nextInt(1024);

    WebSocketSession(Channel channel, WebSocketStats stats, long now, LoopOutbox outbox) {
        this.channel = channel;
        this.stats = stats;
        this.outbox = outbox;
        this.rawWriter = channel;
        this.openedAt = now;
        this.lastReadAt = now;
    }

    @Override
    public SessionId id() {
        return id;
    }

    @Override
    public String remoteAddress() {
        return channel.remoteAddress() instanceof InetSocketAddress address
                ? address.getAddress().getHostAddress() + ":" + address.getPort()
                : String.valueOf(channel.remoteAddress());
    }

    /** The connection bound, or closed: it is no longer in flight. Any thread; counts once. */
    void landed(Admission admission) {
        if (inFlight == 1 && IN_FLIGHT.compareAndSet(this, 1, 0)) {
            admission.bound();
        }
    }

    /** Stops the token expiry's timer (a refresh, or the connection closed). On the event loop. */
    void cancelExpiry() {
        if (expiry != null) {
            expiry.cancel(false);
            expiry = null;
        }
    }

    Channel channel() {
        return channel;
    }

    /**
     * Writes what the outbox held for this connection, on the event loop: a shared frame, or a message
     * to encode now ({@link WebSocketFrames#isEncodedPerWrite}); {@code bytes} is its frame's size.
     */
    void write(Object frameOrMessage, int bytes, ChannelPromise promise) {
        QUEUED.addAndGet(this, -bytes);
        writeNow(
                frameOrMessage instanceof Message message
                        ? WebSocketFrames.text(channel.alloc(), message)
                        : (ByteBuf) frameOrMessage,
                promise);
    }

    private void writeNow(ByteBuf frame, ChannelPromise promise) {
        if (closeWritten) {
            // Offered before the close started; RFC 6455 allows nothing after a close frame.
            frame.release();
            if (promise != null) {
                promise.cancel(false);
            }
            return;
        }
        rawWriter.write(frame, promise == null ? channel.voidPromise() : promise);
    }

    /** Flushes what {@link #write} queued, on the event loop, from where it was written. */
    void flush() {
        rawWriter.flush();
        Subscriber positioned = subscriber;
        if (positioned != null && positioned.hasParked() && !congested()) {
            positioned.drain(); // the outbox drained: what waited for the congestion goes out
        }
    }

    /**
     * Whether this connection cannot take more now: its socket buffer, or the frames waiting for it in
     * the loop's outbox, are at {@code websocket.max-outbound-bytes} (where a send closes it as slow).
     */
    boolean congested() {
        return !channel.isWritable() || QUEUED.get(this) >= channel.config().getWriteBufferHighWaterMark();
    }

    /** The handshake is done: frames go to {@code writer} from now on, pushes in the given form. */
    void handshaken(ChannelOutboundInvoker writer, Encoding<ByteBuf> frames) {
        this.rawWriter = writer;
        this.frames = frames;
        this.handshaken = true;
    }

    /** Writes and flushes a control frame of the server's (a pong), unless a close frame went out. */
    void writeControl(ByteBuf frame) {
        if (closeWritten) {
            frame.release();
            return;
        }
        rawWriter.writeAndFlush(frame, channel.voidPromise());
    }

    /**
     * Closes after a violation found while reading frames: the close frame goes out and the TCP
     * connection is closed once it is written, without waiting for the peer's answer. On the loop.
     */
    void closeAfterViolation(CloseReason reason, String text) {
        if (!CLOSING.compareAndSet(this, 0, 1)) {
            channel.close(); // closing already: no answer to wait for from a peer that breaks the protocol
            return;
        }
        stats.closed(reason);
        closeWritten = true;
        // Then only the sending half closes: the peer may still be sending (the rest of a message too
        // big), and closing a socket with unread input makes the kernel answer with a reset that can
        // destroy the close frame before the peer reads it. The handler discards what still comes; the
        // connection closes when the peer closes its half, or after CLOSE_TIMEOUT_MILLIS (the sweeper).
        rawWriter
                .writeAndFlush(WebSocketFrames.close(channel.alloc(), reason.code(), text))
                .addListener((ChannelFutureListener) written -> {
                    if (written.isSuccess() && channel instanceof DuplexChannel duplex && duplex.isActive()) {
                        duplex.shutdownOutput();
                    } else {
                        channel.close();
                    }
                });
    }

    @Override
    public boolean send(Publication publication) {
        Subscriber positioned = subscriber;
        return positioned != null ? positioned.offer(publication) : sendMessage(publication.message());
    }

    /**
     * From now on publications go through the subscriber (a {@code herald.v1} connection's, which writes
     * them as {@code msg} envelopes, or a seed connection's that drains its uid's inbox), which writes
     * them with {@link #sendMessage}. Set before the connection is bound.
     */
    void subscribe(Subscriber subscriber) {
        this.subscriber = subscriber;
    }

    /** Queues a message's bytes as one text frame: a seed push, or a protocol message already encoded. */
    boolean sendMessage(Message message) {
        if (closing != 0 || !channel.isActive()) {
            return false;
        }
        // Two queues, each bounded by websocket.max-outbound-bytes: the channel's buffer (Netty's
        // writability) and the frames still waiting in the loop's outbox, so that a burst to one
        // connection cannot queue without bound while the loop is busy.
        if (!channel.isWritable() || QUEUED.get(this) >= channel.config().getWriteBufferHighWaterMark()) {
            if (channel.unsafe().outboundBuffer() == null) {
                // Netty drops the outbound buffer first when it closes a channel (which then reads as
                // unwritable, yet still active): a connection going away, not a slow consumer.
                return false;
            }
            if (closing == 0) {
                log.warn("closing slow consumer session={}", id);
            }
            close(CloseReason.SLOW);
            return false;
        }
        // A small plain message is encoded for each connection, on its loop, into a buffer of the
        // transport's own (which it would otherwise copy a shared heap frame into); a large or
        // compressed one is encoded once and shared.
        boolean perWrite = WebSocketFrames.isEncodedPerWrite(frames, message);
        ByteBuf shared = perWrite ? null : message.encoded(frames).duplicate();
        int bytes = perWrite ? WebSocketFrames.textFrameSize(message) : shared.readableBytes();
        ChannelPromise promise = null;
        Receipt receipt = message.receipt();
        if (receipt != null) {
            // The backend asked what became of this push: report the write once it is in the socket.
            promise = channel.newPromise();
            String of = uid;
            promise.addListener(written -> {
                if (written.isSuccess()) {
                    receipt.written(of, id.toString(), System.currentTimeMillis());
                }
            });
        }
        if (stats.sampleWrite()) {
            // The promise completes on the event loop once the frame is in the socket's send buffer.
            long createdAt = message.createdAt();
            if (promise == null) {
                promise = channel.newPromise();
            }
            promise.addListener(written -> {
                if (written.isSuccess()) {
                    stats.written(createdAt);
                }
            });
        }
        if (queued == 0 && outbox.inLoop()) {
            // A push on this connection's own loop (its backend shares the loop) with none of its frames
            // waiting in the outbox: written now, with no queue and no hop to another thread, and
            // flushed when the loop has done its current round of work.
            writeNow(perWrite ? WebSocketFrames.text(channel.alloc(), message) : shared, promise);
            outbox.flushSoon(this);
        } else {
            QUEUED.addAndGet(this, bytes);
            outbox.offer(this, perWrite ? message : shared, bytes, promise);
        }
        return true;
    }

    @Override
    public void close(CloseReason reason, String text) {
        if (!CLOSING.compareAndSet(this, 0, 1)) {
            return;
        }
        if (channel.isActive()) {
            // Counted at once (the push that finds a slow consumer's queue full has counted it when it
            // answers); a connection already gone is not a server close.
            stats.closed(reason);
        }
        if (channel.eventLoop().inEventLoop() && outbox.isIdle()) {
            startClose(reason, text);
        } else {
            // After the outbox's pending drain, which was scheduled first: frames accepted before the
            // close (a push, then a kick from the same backend) go out before the close frame.
            channel.eventLoop().execute(() -> startClose(reason, text));
        }
    }

    boolean isClosing() {
        return closing != 0;
    }

    /** Marks a close that the peer or the codec started, so sends stop at once. */
    void markClosing() {
        closing = 1;
        closeWritten = true;
    }

    private void startClose(CloseReason reason, String text) {
        if (!channel.isActive()) {
            return; // gone meanwhile (the peer closed, or the TCP connection broke)
        }
        log.debug("closing session={} code={} reason={}", id, reason.code(), text);
        if (!handshaken) {
            channel.close();
            return;
        }
        closeWritten = true;
        // The peer answers with its own close frame, on which ClientFrameHandler closes the connection;
        // the sweeper drops it after CLOSE_TIMEOUT_MILLIS if it does not.
        rawWriter.writeAndFlush(WebSocketFrames.close(channel.alloc(), reason.code(), text), channel.voidPromise());
    }

    /**
     * Called by the sweeper on the event loop with a millisecond clock.
     *
     * @param mayPing whether this sweep may still send a ping (the sweeper paces them)
     * @return whether a ping was sent
     */
    boolean sweep(long now, long pingIntervalMillis, long pongTimeoutMillis, long bindTimeoutMillis, boolean mayPing) {
        if (closing != 0) {
            if (closingAt == 0) {
                closingAt = now;
            } else if (now - closingAt >= CLOSE_TIMEOUT_MILLIS) {
                channel.close();
            }
            return false;
        }
        if (!bound) {
            if (now - openedAt >= bindTimeoutMillis) {
                close(CloseReason.BIND_TIMEOUT);
            }
            return false;
        }
        if (pingSentAt == 0) {
            if (mayPing
                    && now - lastReadAt >= pingIntervalMillis - pingIntervalMillis * pingSpread / PING_SPREAD_SCALE) {
                pingSentAt = now;
                writeNow(v1 ? WebSocketFrames.V1_PING.duplicate() : WebSocketFrames.PING.duplicate(), null);
                rawWriter.flush();
                return true;
            }
        } else if (now - pingSentAt >= pongTimeoutMillis) {
            close(CloseReason.NO_PONG);
        }
        return false;
    }

    /** Records inbound traffic: the peer is alive. */
    void touch(long now) {
        lastReadAt = now;
        pingSentAt = 0;
    }

    @Override
    public String toString() {
        return "session " + id;
    }
}
