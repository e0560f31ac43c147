package dev.herald.netty.websocket;

import dev.herald.core.CloseReason;
import dev.herald.core.Hub;
import dev.herald.core.Pusher;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The client pipeline: {@code HeadWriter → HttpServerCodec → HttpObjectAggregator → HandshakeRequestValidator →
 * [permessage-deflate → ReservedBitsValidator] → WebSocketServerProtocolHandler → WebSocketFrameAggregator →
 * ClientFrameHandler}. Upgrades on any path.
 *
 * <p>The configuration is read from a supplier: each new connection gets the limits in force when it
 * opens ({@code max-message-bytes}, {@code max-uid-bytes}, {@code max-outbound-bytes}, the handshake
 * timeout), and the sweepers read the timeouts on every sweep. Host, port and compression are read once
 * by whoever binds the listener and must not change.
 */
public final class WebSocketInitializer extends ChannelInitializer<Channel> {

    private static final int MAX_REQUEST_LINE_BYTES = 4096;
    private static final int MAX_HEADER_BYTES = 8192;
    private static final int MAX_HANDSHAKE_BODY_BYTES = 8192;

    private final Hub hub;
    private final Pusher pusher;
    private final Supplier<WebSocketConfig> config;
    private final IntSupplier maxGroupBytes;
    private final WebSocketStats stats;
    private final SessionSweepers sweepers;
    private volatile ProtocolConfig protocol;

    /** The protocol handler's settings, derived once per configuration. */
    private record ProtocolConfig(WebSocketConfig config, WebSocketServerProtocolConfig netty) {}

    public WebSocketInitializer(
            Hub hub, Pusher pusher, WebSocketConfig config, int maxGroupBytes, WebSocketStats stats) {
        this(hub, pusher, () -> config, () -> maxGroupBytes, stats);
    }

    /**
     * @param pusher runs the clients' own {@code join}/{@code leave} requests (when {@code
     *     websocket.client-groups} is on), so an engine shares them with the cluster
     * @param maxGroupBytes longest group name a client may join ({@code api.max-group-bytes}), read when
     *     a connection opens
     */
    public WebSocketInitializer(
            Hub hub, Pusher pusher, Supplier<WebSocketConfig> config, IntSupplier maxGroupBytes, WebSocketStats stats) {
        this.hub = hub;
        this.pusher = pusher;
        this.config = config;
        this.maxGroupBytes = maxGroupBytes;
        this.stats = stats;
        this.sweepers = new SessionSweepers(config);
    }

    private WebSocketServerProtocolConfig protocolConfig(WebSocketConfig config) {
        ProtocolConfig current = protocol;
        if (current == null || current.config() != config) {
            current = new ProtocolConfig(config, newProtocolConfig(config));
            protocol = current;
        }
        return current.netty();
    }

    private static WebSocketServerProtocolConfig newProtocolConfig(WebSocketConfig config) {
        return WebSocketServerProtocolConfig.newBuilder()
                .websocketPath("/")
                .checkStartsWith(true)
                .handshakeTimeoutMillis(config.bindTimeout().toMillis())
                // ClientFrameHandler answers close frames and violations itself: Netty's own answers
                // bypass the close tracking of WebSocketServerProtocolHandler, which then adds a
                // second close frame (1000 "Bye") or echoes the peer's answer to our close.
                .handleCloseFrames(false)
                .dropPongFrames(false)
                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                        .maxFramePayloadLength(config.maxMessageBytes())
                        .expectMaskedFrames(true)
                        .allowMaskMismatch(false)
                        .allowExtensions(config.compression())
                        .closeOnProtocolViolation(false)
                        .withUTF8Validator(true)
                        .build())
                .build();
    }

    /** The write-buffer bounds that make {@code max-outbound-bytes} the slow-consumer limit. */
    public WriteBufferWaterMark watermark() {
        return watermark(config.get());
    }

    private static WriteBufferWaterMark watermark(WebSocketConfig config) {
        return new WriteBufferWaterMark(config.maxOutboundBytes() / 2, config.maxOutboundBytes());
    }

    /** Closes every client connection (handshaken or not) with the given reason; see {@link #openCount()}. */
    public void closeAll(CloseReason reason) {
        sweepers.closeAll(reason);
    }

    /** Client connections still open, handshaken or not. */
    public int openCount() {
        return sweepers.openCount();
    }

    @Override
    protected void initChannel(Channel channel) {
        WebSocketConfig config = this.config.get();
        channel.config().setWriteBufferWaterMark(watermark(config));
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast(HeadWriter.NAME, HeadWriter.INSTANCE);
        pipeline.addLast(
                "http", new HttpServerCodec(MAX_REQUEST_LINE_BYTES, MAX_HEADER_BYTES, MAX_HANDSHAKE_BODY_BYTES));
        pipeline.addLast("http-aggregator", new HttpObjectAggregator(MAX_HANDSHAKE_BODY_BYTES));
        pipeline.addLast("handshake-validator", HandshakeRequestValidator.INSTANCE);
        if (config.compression()) {
            pipeline.addLast(
                    "compression",
                    new WebSocketServerExtensionHandler(
                            new NoContextDeflateHandshaker(config.compressionLevel(), config.maxMessageBytes())));
            pipeline.addLast("reserved-bits", ReservedBitsValidator.INSTANCE);
        }
        pipeline.addLast("websocket", new WebSocketServerProtocolHandler(protocolConfig(config)));
        pipeline.addLast("message-aggregator", new WebSocketFrameAggregator(config.maxMessageBytes()));
        pipeline.addLast(
                "client", new ClientFrameHandler(hub, pusher, config, maxGroupBytes.getAsInt(), sweepers, stats));
    }
}
