package dev.herald.netty.backend;

import dev.herald.core.Pusher;
import dev.herald.netty.LogThrottle;
import dev.herald.netty.StalledReadTimeout;
import dev.herald.netty.tls.TlsContext;
import dev.herald.netty.tls.TlsHandshakeHandler;
import dev.herald.netty.tls.TlsStats;
import dev.herald.protocol.backend.BackendError;
import dev.herald.protocol.backend.BackendKeys;
import dev.herald.protocol.backend.BackendLineParser;
import dev.herald.protocol.backend.BackendReply;
import dev.herald.protocol.backend.CommandLimits;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelGroupFuture;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Text port pipeline: {@code StalledReadTimeout → LineBasedFrameDecoder → TextAuthHandler (with
 * text.keys) → BackendCommandHandler}. One JSON object per line ending in {@code \n} or {@code \r\n};
 * replies are lines too. A connection past {@code text.max-connections} gets only
 * {@code error too_many_connections} and is closed.
 */
public final class TextPortInitializer extends ChannelInitializer<Channel> {

    private static final Logger log = LoggerFactory.getLogger(TextPortInitializer.class);

    private final Pusher pusher;
    private final CommandExecutor executor;
    private final BackendLineParser parser;
    private final Supplier<TextPortConfig> config;
    private final TextPortStats stats;
    private final ChannelGroup channels = new DefaultChannelGroup("text-port", GlobalEventExecutor.INSTANCE);
    private final LogThrottle refusalLog = new LogThrottle();
    private final LogThrottle rateLog = new LogThrottle();
    private final Supplier<TlsContext> tls;
    private final TlsHandshakeHandler tlsHandshake;

    public TextPortInitializer(
            Pusher pusher, CommandExecutor executor, CommandLimits limits, TextPortConfig config, TextPortStats stats) {
        this(pusher, executor, () -> limits, () -> config, stats, () -> TlsContext.OFF, new TlsStats());
    }

    /**
     * A Text port whose settings may change while it runs: the command limits are read for each command,
     * {@code max-line-bytes} when a connection opens (host and port are read once by whoever binds it).
     */
    public TextPortInitializer(
            Pusher pusher,
            CommandExecutor executor,
            Supplier<CommandLimits> limits,
            Supplier<TextPortConfig> config,
            TextPortStats stats,
            Supplier<TlsContext> tls,
            TlsStats tlsStats) {
        this.tls = tls;
        this.tlsHandshake = new TlsHandshakeHandler(tlsStats);
        this.pusher = pusher;
        this.executor = executor;
        this.parser = new BackendLineParser(limits);
        this.config = config;
        this.stats = stats;
    }

    /** Bounds the replies queued for a backend that does not read them; reading pauses above it. */
    public WriteBufferWaterMark watermark() {
        return new WriteBufferWaterMark(32 * 1024, 64 * 1024);
    }

    @Override
    protected void initChannel(Channel channel) {
        TextPortConfig config = this.config.get();
        int max = config.maxConnections();
        if (max > 0 && channels.size() >= max) {
            stats.refused(BackendError.TOO_MANY_CONNECTIONS);
            if (refusalLog.allows()) {
                log.info(
                        "refusing Text-port connections past text.max-connections ({}), from {} first",
                        max,
                        channel.remoteAddress());
            }
            channel.pipeline().addLast("refuse", new Refusal(max));
            return;
        }
        channels.add(channel);
        TlsContext tls = this.tls.get();
        if (tls.enabled()) {
            channel.pipeline()
                    .addLast("tls", tls.newHandler(channel.alloc(), config.readTimeout()))
                    .addLast("tls-handshake", tlsHandshake);
        }
        BackendKeys keys = config.backendKeys();
        // One byte of slack: with fail-fast, the decoder counts a CR whose LF has not arrived yet as part
        // of the line, and would refuse a line of exactly the limit ending in a split CRLF. The handler
        // enforces the limit itself.
        channel.pipeline()
                .addLast("stall", new StalledReadTimeout(config.readTimeout(), StalledReadTimeout.LINES))
                .addLast("lines", new LineBasedFrameDecoder(config.maxLineBytes() + 1, true, true));
        if (!keys.isEmpty()) {
            channel.pipeline().addLast("auth", new TextAuthHandler(keys, config.readTimeout(), stats));
        }
        channel.pipeline()
                .addLast(
                        "commands",
                        new BackendCommandHandler(
                                pusher,
                                executor,
                                parser,
                                config,
                                stats,
                                () -> this.config.get().maxPushesPerSecond(),
                                rateLog));
    }

    /** The one reply to a connection past {@code text.max-connections}; what it sends is discarded. */
    private static final class Refusal extends ChannelInboundHandlerAdapter {

        private final int max;
        private boolean sent;

        Refusal(int max) {
            this.max = max;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            if (ctx.channel().isActive()) {
                refuse(ctx);
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            refuse(ctx);
        }

        private void refuse(ChannelHandlerContext ctx) {
            if (sent) {
                return;
            }
            sent = true;
            BackendReply reply = BackendReply.error(
                    BackendError.TOO_MANY_CONNECTIONS, max + " Text-port connections are open (text.max-connections)");
            ctx.writeAndFlush(Unpooled.wrappedBuffer(reply.bytes()))
                    .addListener(written -> BackendCommandHandler.closeGracefully(ctx));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Open backend connections. */
    public int connectionCount() {
        return channels.size();
    }

    /**
     * Stops reading on every backend connection, answers the lines already read, then closes them.
     * The future completes when all are closed.
     */
    public ChannelGroupFuture drain() {
        for (Channel channel : channels) {
            channel.pipeline().fireUserEventTriggered(BackendCommandHandler.DRAIN);
        }
        return channels.newCloseFuture();
    }
}
