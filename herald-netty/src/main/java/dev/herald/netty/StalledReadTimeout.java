package dev.herald.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Notices a backend connection that stopped in the middle of a line or a request: bytes came, the line
 * or request they began is not complete, and nothing more came for the timeout. It then fires {@link
 * #STALLED} down the pipeline, where the protocol's handler answers and closes. An idle connection
 * between complete lines or requests is not timed (backends keep connections open for their next
 * push). First in the pipeline, it sees the raw bytes; one timer per connection, and only while a line
 * or request is incomplete.
 */
public final class StalledReadTimeout extends ChannelInboundHandlerAdapter {

    /** The user event a stalled connection gets. */
    public static final Object STALLED = new Object() {
        @Override
        public String toString() {
            return "STALLED";
        }
    };

    /** Whether the bytes read so far leave something incomplete, given the last buffer read. */
    @FunctionalInterface
    public interface Incomplete {
        boolean after(ByteBuf read);
    }

    /** A line protocol: incomplete unless the last byte read ends a line. */
    public static final Incomplete LINES = read -> read.getByte(read.writerIndex() - 1) != '\n';

    /** Incomplete from the first byte until {@link #completed} is called (a request was read whole). */
    public static final Incomplete UNTIL_COMPLETED = read -> true;

    private final long timeoutNanos;
    private final Incomplete incomplete;
    private boolean pending;
    private long lastRead;
    private ScheduledFuture<?> check;

    public StalledReadTimeout(Duration timeout, Incomplete incomplete) {
        this.timeoutNanos = timeout.toNanos();
        this.incomplete = incomplete;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf read && read.isReadable()) {
            lastRead = System.nanoTime();
            pending = incomplete.after(read);
            if (pending && check == null) {
                schedule(ctx, timeoutNanos);
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** What was read so far is complete (a request handler says so); on the channel's loop. */
    public void completed() {
        pending = false;
    }

    private void schedule(ChannelHandlerContext ctx, long delayNanos) {
        check = ctx.executor().schedule(() -> check(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check(ChannelHandlerContext ctx) {
        check = null;
        if (!pending || !ctx.channel().isActive()) {
            return;
        }
        long idle = System.nanoTime() - lastRead;
        if (idle >= timeoutNanos) {
            pending = false;
            ctx.fireUserEventTriggered(STALLED);
        } else {
            schedule(ctx, timeoutNanos - idle);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
        ctx.fireChannelInactive();
    }
}
