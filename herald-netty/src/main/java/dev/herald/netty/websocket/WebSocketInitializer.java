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

/**
 * The client pipeline: {@code HttpServerCodec → HttpObjectAggregator → HandshakeRequestValidator →
 * [permessage-deflate → ReservedBitsValidator] → WebSocketServerProtocolHandler → WebSocketFrameAggregator →
 * ClientFrameHandler}. Upgrades on any path.
 */
public final class WebSocketInitializer extends ChannelInitializer<Channel> {

    private static final int MAX_REQUEST_LINE_BYTES = 4096;
    private static final int MAX_HEADER_BYTES = 8192;
    private static final int MAX_HANDSHAKE_BODY_BYTES = 8192;

    private final Hub hub;
    private final Pusher pusher;
    private final WebSocketConfig config;
    private final int maxGroupBytes;
    private final WebSocketStats stats;
    private final SessionSweepers sweepers;
    private final WebSocketServerProtocolConfig protocolConfig;

    /**
     * @param pusher runs the clients' own {@code join}/{@code leave} requests (when {@code
     *     websocket.client-groups} is on), so an engine shares them with the cluster
     * @param maxGroupBytes longest group name a client may join ({@code api.max-group-bytes})
     */
    public WebSocketInitializer(
            Hub hub, Pusher pusher, WebSocketConfig config, int maxGroupBytes, WebSocketStats stats) {
        this.hub = hub;
        this.pusher = pusher;
        this.config = config;
        this.maxGroupBytes = maxGroupBytes;
        this.stats = stats;
        this.sweepers = new SessionSweepers(config);
        this.protocolConfig = WebSocketServerProtocolConfig.newBuilder()
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
        ChannelPipeline pipeline = channel.pipeline();
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
        pipeline.addLast("websocket", new WebSocketServerProtocolHandler(protocolConfig));
        pipeline.addLast("message-aggregator", new WebSocketFrameAggregator(config.maxMessageBytes()));
        pipeline.addLast("client", new ClientFrameHandler(hub, pusher, config, maxGroupBytes, sweepers, stats));
    }
}
