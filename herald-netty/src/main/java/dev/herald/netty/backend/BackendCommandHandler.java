package dev.herald.netty.backend;

import dev.herald.core.Message;
import dev.herald.core.PushOptions;
import dev.herald.core.PushResult;
import dev.herald.core.Pusher;
import dev.herald.core.Target;
import dev.herald.netty.LogThrottle;
import dev.herald.netty.OrderedReplies;
import dev.herald.netty.PushRate;
import dev.herald.netty.StalledReadTimeout;
import dev.herald.protocol.backend.ApiError;
import dev.herald.protocol.backend.BackendCommand;
import dev.herald.protocol.backend.BackendCommand.Invalid;
import dev.herald.protocol.backend.BackendCommand.Push;
import dev.herald.protocol.backend.BackendCommand.Rejected;
import dev.herald.protocol.backend.BackendCommand.SeedPush;
import dev.herald.protocol.backend.BackendError;
import dev.herald.protocol.backend.BackendKey;
import dev.herald.protocol.backend.BackendLineParser;
import dev.herald.protocol.backend.BackendReply;
import dev.herald.protocol.backend.Scope;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.TooLongFrameException;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One backend connection on the Text port: decodes each line, calls the {@link Pusher}, and writes
 * the replies in request order, even when a later push completes first (pipelining).
 *
 * <p>Back-pressure: while the backend does not read its replies (the channel is unwritable), the
 * handler stops reading lines. With {@code text.keys}, a line outside the scopes of the connection's key
 * ({@link TextAuthHandler.Authenticated}) is refused with {@code forbidden}; past
 * {@code text.max-pushes-per-second}, a push is refused with {@code rate_limited}. Per-connection
 * state: one instance per channel.
 */
final class BackendCommandHandler extends SimpleChannelInboundHandler<ByteBuf> {

    /** Fired on each backend channel to stop reading and close once every reply is written. */
    static final Object DRAIN = new Object();

    /** How long a closing connection waits for the backend to close its side, discarding what it sends. */
    static final long LINGER_MILLIS = 1000;

    private static final Logger log = LoggerFactory.getLogger(BackendCommandHandler.class);
    private static final ByteBuf NEWLINE =
            Unpooled.unreleasableBuffer(Unpooled.directBuffer(1).writeByte('\n').asReadOnly());
    private static final ByteBuf OK = shared(BackendReply.OK);
    private static final ByteBuf FAIL = shared(BackendReply.FAIL);
    /** A first size for {@link #answered}: room for the replies to a read's worth of pipelined pushes. */
    private static final int ANSWERED_BYTES = 256;

    private final Pusher pusher;
    /** A seed line's options: {@code inbox.seed-ttl}, if any (restart-only). */
    private final PushOptions seedOptions;

    private final CommandExecutor executor;
    private final BackendLineParser parser;
    private final TextPortConfig config;
    private final TextPortStats stats;
    private final OrderedReplies replies;
    /** {@code text.max-pushes-per-second}, read for each push. */
    private final IntSupplier maxPushesPerSecond;

    private final PushRate pushRate = new PushRate();
    private final LogThrottle rateLog;
    /** The connection's key once authenticated; {@code null}: no keys configured, every scope. */
    private BackendKey key;

    private boolean closeWhenAnswered;
    private boolean closing;
    /**
     * Replies known at once while none waits in {@link #replies}, gathered into one buffer and written
     * together on read complete: one write for a read's worth of pipelined pushes.
     */
    private ByteBuf answered;

    BackendCommandHandler(
            Pusher pusher,
            CommandExecutor executor,
            BackendLineParser parser,
            TextPortConfig config,
            TextPortStats stats) {
        this(pusher, executor, parser, config, stats, config::maxPushesPerSecond, new LogThrottle());
    }

    BackendCommandHandler(
            Pusher pusher,
            CommandExecutor executor,
            BackendLineParser parser,
            TextPortConfig config,
            TextPortStats stats,
            IntSupplier maxPushesPerSecond,
            LogThrottle rateLog) {
        this.maxPushesPerSecond = maxPushesPerSecond;
        this.rateLog = rateLog;
        this.pusher = pusher;
        this.seedOptions =
                PushOptions.ttl(pusher.engine().inboxConfig().seedTtl().toMillis());
        this.executor = executor;
        this.parser = parser;
        this.config = config;
        this.stats = stats;
        this.replies = new OrderedReplies(() -> closeIfAnswered(context));
    }

    private ChannelHandlerContext context;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf line) {
        if (closeWhenAnswered) {
            return;
        }
        // Like the seed's Text protocol (rtrim "\r\n"), every CR before the LF belongs to the line ending.
        int length = line.readableBytes();
        while (length > 0 && line.getByte(line.readerIndex() + length - 1) == '\r') {
            length--;
        }
        if (length > config.maxLineBytes()) {
            refuseLongLine(ctx);
            return;
        }
        stats.lines.increment();
        BackendCommand command = parser.parse(ByteBufUtil.getBytes(line, line.readerIndex(), length));
        String refusal = refusal(ctx, command);
        if (refusal != null) {
            writeAnswered(ctx);
            replies.add(ctx, CompletableFuture.completedFuture(refusal(command, refusal)));
        } else if (command instanceof SeedPush push) {
            seedPush(ctx, push);
        } else {
            writeAnswered(ctx);
            replies.add(ctx, execute(ctx, command));
        }
    }

    /**
     * Why the connection may not run {@code command}: {@link ApiError#FORBIDDEN} outside its key's
     * scopes, {@link ApiError#RATE_LIMITED} past {@code text.max-pushes-per-second} (a batch of N counts
     * N); or {@code null}.
     */
    private String refusal(ChannelHandlerContext ctx, BackendCommand command) {
        Scope scope = Scope.of(command);
        if (key != null && !key.allows(scope)) {
            log.debug(
                    "refused line from {}: the key lacks the {} scope",
                    ctx.channel().remoteAddress(),
                    scope.word());
            return ApiError.FORBIDDEN;
        }
        int pushes = command instanceof SeedPush
                ? 1
                : command instanceof Push push ? push.items().size() : 0;
        int rate = maxPushesPerSecond.getAsInt();
        if (pushes > 0 && pushRate.take(pushes, rate) > 0) {
            if (rateLog.allows()) {
                log.info(
                        "Text-port connection {} passed text.max-pushes-per-second ({}): pushes refused with rate_limited",
                        ctx.channel().remoteAddress(),
                        rate);
            }
            return ApiError.RATE_LIMITED;
        }
        return null;
    }

    /** The reply to a refused line: {@code error <code> …} to a seed line, the JSON error to a command. */
    private ByteBuf refusal(BackendCommand command, String code) {
        Scope scope = Scope.of(command);
        String message = code.equals(ApiError.FORBIDDEN)
                ? "the key lacks the " + scope.word() + " scope"
                : "more than " + maxPushesPerSecond.getAsInt()
                        + " pushes per second on this connection (text.max-pushes-per-second); retry after 1 s";
        BackendError error = code.equals(ApiError.FORBIDDEN) ? BackendError.FORBIDDEN : BackendError.RATE_LIMITED;
        if (command instanceof SeedPush || command instanceof Invalid) {
            return bytes(error(error, message));
        }
        stats.refused(error);
        if (command instanceof Push || (command instanceof Rejected rejected && rejected.isPush())) {
            stats.pushes.failed();
        }
        CommandReply reply = CommandReply.error(new ApiError(code, message, null));
        return Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(reply.json()), NEWLINE.duplicate());
    }

    /**
     * The seed's push, the hot path: with an engine that answers at once (the memory engine), the reply
     * is written without a stage of its own.
     */
    private void seedPush(ChannelHandlerContext ctx, SeedPush push) {
        log.trace("push uid={} bytes={}", push.uid(), push.line().length);
        CompletableFuture<PushResult> pushed = pusher.push(
                        Target.uid(push.uid()), Message.ofUtf8(push.line(), seedOptions))
                .toCompletableFuture();
        if (pushed.isDone() && !pushed.isCompletedExceptionally()) {
            BackendReply reply = seedReply(push, pushed.join(), null);
            if (replies.isEmpty()) {
                if (answered == null) {
                    answered = ctx.alloc().buffer(ANSWERED_BYTES);
                }
                answered.writeBytes(reply.bytes());
            } else {
                replies.addNow(ctx, bytes(reply));
            }
        } else {
            writeAnswered(ctx);
            replies.add(ctx, pushed.handle((result, failure) -> bytes(seedReply(push, result, failure))));
        }
    }

    private BackendReply seedReply(SeedPush push, PushResult result, Throwable failure) {
        if (failure != null) {
            log.warn("push failed uid={}", push.uid(), failure);
            return error(BackendError.INTERNAL, "push failed");
        }
        stats.pushes.pushed(result);
        return result.delivered() ? BackendReply.OK : BackendReply.FAIL;
    }

    private CompletionStage<ByteBuf> execute(ChannelHandlerContext ctx, BackendCommand command) {
        if (command instanceof Invalid invalid) {
            log.debug(
                    "refused line from {}: {} {}",
                    ctx.channel().remoteAddress(),
                    invalid.error().code(),
                    invalid.detail());
            return CompletableFuture.completedFuture(bytes(error(invalid.error(), invalid.detail())));
        }
        if (command instanceof Rejected rejected) {
            log.debug(
                    "refused command from {}: {}",
                    ctx.channel().remoteAddress(),
                    rejected.error().message());
        }
        return executor.execute(command, stats.pushes)
                .thenApply(reply -> Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(reply.json()), NEWLINE.duplicate()));
    }

    private BackendReply error(BackendError error, String detail) {
        stats.error(error);
        return BackendReply.error(error, detail);
    }

    private static ByteBuf bytes(BackendReply reply) {
        return reply == BackendReply.OK
                ? OK.duplicate()
                : reply == BackendReply.FAIL ? FAIL.duplicate() : Unpooled.wrappedBuffer(reply.bytes());
    }

    /** Writes the gathered replies, ahead of whatever is written next. */
    private void writeAnswered(ChannelHandlerContext ctx) {
        if (answered != null) {
            ctx.write(answered, ctx.voidPromise());
            answered = null;
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        writeAnswered(ctx);
        ctx.flush();
        closeIfAnswered(ctx);
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (!closeWhenAnswered) {
            ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event == DRAIN) {
            closeAfterReplies(ctx);
            writeAnswered(ctx);
            ctx.flush();
            closeIfAnswered(ctx);
            return;
        }
        if (event instanceof TextAuthHandler.Authenticated authenticated) {
            key = authenticated.key();
            return;
        }
        if (event == StalledReadTimeout.STALLED) {
            refuseStalledLine(ctx);
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    private void closeAfterReplies(ChannelHandlerContext ctx) {
        if (!closing) {
            ctx.channel().config().setAutoRead(false);
        }
        closeWhenAnswered = true;
    }

    private void closeIfAnswered(ChannelHandlerContext ctx) {
        if (closeWhenAnswered && !closing && replies.isEmpty() && ctx.channel().isActive()) {
            writeAnswered(ctx);
            closing = true;
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> closeGracefully(ctx));
        }
    }

    /**
     * Closes once the replies are with the kernel, without losing them: closing a socket that has unread
     * input makes the kernel reset the connection and drop the replies not yet sent. So the output is
     * shut down (FIN after the replies), then input is read and discarded until the backend closes its
     * side, or for {@link #LINGER_MILLIS} at most.
     */
    static void closeGracefully(ChannelHandlerContext ctx) {
        Channel channel = ctx.channel();
        if (!(channel instanceof DuplexChannel duplex) || !channel.isActive()) {
            channel.close();
            return;
        }
        duplex.shutdownOutput().addListener(shut -> {
            if (!shut.isSuccess()) {
                channel.close();
                return;
            }
            ctx.executor().schedule(() -> channel.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
            channel.config().setAutoRead(true);
        });
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (answered != null) {
            answered.release();
            answered = null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            refuseLongLine(ctx);
        } else if (cause instanceof IOException) {
            log.debug("backend {} i/o error: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        } else {
            log.warn(
                    "closing backend {} after an unexpected error",
                    ctx.channel().remoteAddress(),
                    cause);
            ctx.close();
        }
    }

    private void refuseLongLine(ChannelHandlerContext ctx) {
        if (closeWhenAnswered) {
            return;
        }
        log.warn("closing backend {}: line longer than {} bytes", ctx.channel().remoteAddress(), config.maxLineBytes());
        writeAnswered(ctx);
        replies.add(
                ctx,
                CompletableFuture.completedFuture(bytes(
                        error(BackendError.LINE_TOO_LONG, "line longer than " + config.maxLineBytes() + " bytes"))));
        closeAfterReplies(ctx);
        ctx.flush();
        closeIfAnswered(ctx);
    }

    /** The connection stopped in the middle of a line for {@code text.read-timeout}: answer, then close. */
    private void refuseStalledLine(ChannelHandlerContext ctx) {
        if (closeWhenAnswered) {
            return;
        }
        log.warn(
                "closing backend {}: it stopped in the middle of a line for {} (text.read-timeout)",
                ctx.channel().remoteAddress(),
                config.readTimeout());
        writeAnswered(ctx);
        replies.add(
                ctx,
                CompletableFuture.completedFuture(bytes(error(
                        BackendError.READ_TIMEOUT,
                        "no end of line for " + config.readTimeout().toSeconds() + " s"))));
        closeAfterReplies(ctx);
        ctx.flush();
        closeIfAnswered(ctx);
    }

    private static ByteBuf shared(BackendReply reply) {
        return Unpooled.unreleasableBuffer(Unpooled.directBuffer(reply.bytes().length)
                .writeBytes(reply.bytes())
                .asReadOnly());
    }
}
