package dev.herald.netty.backend;

import dev.herald.protocol.backend.BackendError;
import dev.herald.protocol.backend.BackendKey;
import dev.herald.protocol.backend.BackendKeys;
import dev.herald.protocol.backend.BackendReply;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first line of a Text-port connection when {@code text.keys} is set: {@code auth KEY}. A known key
 * is answered {@code ok}, told to the next handler as {@link Authenticated}, and this handler leaves
 * the pipeline; anything else (another line, an unknown key, no line within {@code text.read-timeout})
 * is answered {@code error unauthorized …} and the connection is closed. Lines sent after a refused
 * one are discarded. Per-connection state: one instance per channel.
 */
final class TextAuthHandler extends SimpleChannelInboundHandler<ByteBuf> {

    /** Fired to the handlers behind this one once the connection is authenticated. */
    record Authenticated(BackendKey key) {}

    private static final Logger log = LoggerFactory.getLogger(TextAuthHandler.class);
    private static final byte[] AUTH = "auth ".getBytes(StandardCharsets.US_ASCII);

    private final BackendKeys keys;
    private final Duration deadline;
    private final TextPortStats stats;
    private ScheduledFuture<?> timeout;
    private boolean refused;

    TextAuthHandler(BackendKeys keys, Duration deadline, TextPortStats stats) {
        this.keys = keys;
        this.deadline = deadline;
        this.stats = stats;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            startTimeout(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        startTimeout(ctx);
        super.channelActive(ctx);
    }

    private void startTimeout(ChannelHandlerContext ctx) {
        if (timeout == null) {
            timeout = ctx.executor()
                    .schedule(
                            () -> refuse(ctx, "no auth line within " + deadline.toSeconds() + " s"),
                            deadline.toNanos(),
                            TimeUnit.NANOSECONDS);
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf line) {
        if (refused) {
            return;
        }
        int length = line.readableBytes();
        while (length > 0 && line.getByte(line.readerIndex() + length - 1) == '\r') {
            length--;
        }
        if (!startsWithAuth(line, length)) {
            refuse(ctx, "the first line must be 'auth <key>' (text.keys is set)");
            return;
        }
        String presented = line.toString(
                        line.readerIndex() + AUTH.length, length - AUTH.length, StandardCharsets.US_ASCII)
                .trim();
        Optional<BackendKey> key = keys.match(presented);
        if (key.isEmpty()) {
            refuse(ctx, "unknown key");
            return;
        }
        cancelTimeout();
        log.debug(
                "backend {} authenticated, scopes {}",
                ctx.channel().remoteAddress(),
                key.get().scopes());
        ctx.writeAndFlush(Unpooled.wrappedBuffer(BackendReply.OK.bytes()));
        ctx.pipeline().remove(this);
        ctx.fireUserEventTriggered(new Authenticated(key.get()));
    }

    private static boolean startsWithAuth(ByteBuf line, int length) {
        if (length <= AUTH.length) {
            return false;
        }
        for (int i = 0; i < AUTH.length; i++) {
            if (line.getByte(line.readerIndex() + i) != AUTH[i]) {
                return false;
            }
        }
        return true;
    }

    private void refuse(ChannelHandlerContext ctx, String detail) {
        if (refused || !ctx.channel().isActive()) {
            return;
        }
        refused = true;
        cancelTimeout();
        stats.refused(BackendError.UNAUTHORIZED);
        log.info("refused backend {}: unauthorized, {}", ctx.channel().remoteAddress(), detail);
        ctx.writeAndFlush(Unpooled.wrappedBuffer(
                        BackendReply.error(BackendError.UNAUTHORIZED, detail).bytes()))
                .addListener(written -> BackendCommandHandler.closeGracefully(ctx));
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimeout();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelTimeout();
        super.channelInactive(ctx);
    }
}
