package dev.herald.netty.backend;

import dev.herald.core.Pusher;
import dev.herald.netty.StalledReadTimeout;
import dev.herald.protocol.backend.BackendLineParser;
import dev.herald.protocol.backend.CommandLimits;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelGroupFuture;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.function.Supplier;

/**
 * The Text port pipeline: {@code LineBasedFrameDecoder → BackendCommandHandler}. One JSON object per
 * line ending in {@code \n} or {@code \r\n}; replies are lines too.
 */
public final class TextPortInitializer extends ChannelInitializer<Channel> {

    private final Pusher pusher;
    private final CommandExecutor executor;
    private final BackendLineParser parser;
    private final Supplier<TextPortConfig> config;
    private final TextPortStats stats;
    private final ChannelGroup channels = new DefaultChannelGroup("text-port", GlobalEventExecutor.INSTANCE);

    public TextPortInitializer(
            Pusher pusher, CommandExecutor executor, CommandLimits limits, TextPortConfig config, TextPortStats stats) {
        this(pusher, executor, () -> limits, () -> config, stats);
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
            TextPortStats stats) {
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
        channels.add(channel);
        // One byte of slack: with fail-fast, the decoder counts a CR whose LF has not arrived yet as part
        // of the line, and would refuse a line of exactly the limit ending in a split CRLF. The handler
        // enforces the limit itself.
        channel.pipeline()
                .addLast("stall", new StalledReadTimeout(config.readTimeout(), StalledReadTimeout.LINES))
                .addLast("lines", new LineBasedFrameDecoder(config.maxLineBytes() + 1, true, true))
                .addLast("commands", new BackendCommandHandler(pusher, executor, parser, config, stats));
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
