package dev.herald.netty.websocket;

import dev.herald.core.CloseReason;
import dev.herald.core.Hub;
import dev.herald.core.Pusher;
import dev.herald.core.auth.Authenticator;
import dev.herald.netty.tls.TlsContext;
import dev.herald.netty.tls.TlsHandshakeHandler;
import dev.herald.netty.tls.TlsStats;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The client pipeline during the opening handshake: {@code [SslHandler → TlsHandshakeHandler →]
 * ClientFrameHandler → HttpServerCodec → HttpObjectAggregator → HandshakeRequestValidator →
 * WebSocketUpgradeHandler}; after it, {@code [SslHandler →] ClientFrameHandler}. Upgrades on any path.
 * With TLS on ({@code websocket.tls.*}), the TLS handshake must finish within {@code bind-timeout}.
 *
 * <p>The configuration is read from a supplier: each new connection gets the limits in force when it
 * opens ({@code max-message-bytes}, {@code max-uid-bytes}, {@code max-outbound-bytes}), and the
 * sweepers read the timeouts on every sweep. Host, port and compression are read once by whoever binds
 * the listener and must not change.
 */
public final class WebSocketInitializer extends ChannelInitializer<Channel> {

    private static final int MAX_REQUEST_LINE_BYTES = 4096;
    private static final int MAX_HEADER_BYTES = 8192;
    private static final int MAX_HANDSHAKE_BODY_BYTES = 8192;
    /**
     * Reads of a fixed size, from one allocator shared by every client connection: clients send little
     * after the handshake, and an adaptive allocator costs each connection its own sizing state.
     */
    private static final RecvByteBufAllocator READS = new FixedRecvByteBufAllocator(2048);

    private final Supplier<WebSocketConfig> config;
    private final SessionSweepers sweepers;
    private final ClientServices services;
    private final HandshakeRequestValidator validator;
    private final Admission admission;
    private final Supplier<TlsContext> tls;
    private final TlsHandshakeHandler tlsHandshake;
    /** The watermark of the configuration in force, shared by the connections that open under it. */
    private volatile Watermark watermark;

    private record Watermark(WebSocketConfig config, WriteBufferWaterMark bounds) {}

    public WebSocketInitializer(
            Hub hub, Pusher pusher, WebSocketConfig config, int maxGroupBytes, WebSocketStats stats) {
        this(hub, pusher, () -> config, () -> maxGroupBytes, stats, () -> Authenticator.NONE);
    }

    public WebSocketInitializer(
            Hub hub,
            Pusher pusher,
            Supplier<WebSocketConfig> config,
            IntSupplier maxGroupBytes,
            WebSocketStats stats,
            Supplier<Authenticator> auth) {
        this(hub, pusher, config, maxGroupBytes, stats, auth, () -> TlsContext.OFF, new TlsStats());
    }

    /**
     * @param pusher runs the clients' own {@code join}/{@code leave} requests (when {@code
     *     websocket.client-groups} is on), so an engine shares them with the cluster
     * @param maxGroupBytes longest group name a client may join ({@code api.max-group-bytes}), read for
     *     each request
     * @param auth verifies connect tokens: the authenticator in force, read at each bind
     * @param tls the TLS context in force, read when a connection opens ({@link TlsContext#OFF}: plain)
     * @param tlsStats counts failed TLS handshakes
     */
    public WebSocketInitializer(
            Hub hub,
            Pusher pusher,
            Supplier<WebSocketConfig> config,
            IntSupplier maxGroupBytes,
            WebSocketStats stats,
            Supplier<Authenticator> auth,
            Supplier<TlsContext> tls,
            TlsStats tlsStats) {
        this.config = config;
        this.tls = tls;
        this.tlsHandshake = new TlsHandshakeHandler(tlsStats);
        this.sweepers = new SessionSweepers(config);
        this.admission = new Admission(() -> config.get().limits(), hub::connectionCount, stats);
        this.services = new ClientServices(hub, pusher, maxGroupBytes, stats, sweepers, auth, admission);
        this.validator = new HandshakeRequestValidator(config, stats, admission);
    }

    /** The write-buffer bounds that make {@code max-outbound-bytes} the slow-consumer limit. */
    public WriteBufferWaterMark watermark() {
        return watermark(config.get());
    }

    private WriteBufferWaterMark watermark(WebSocketConfig config) {
        Watermark current = watermark;
        if (current == null || current.config() != config) {
            current = new Watermark(
                    config, new WriteBufferWaterMark(config.maxOutboundBytes() / 2, config.maxOutboundBytes()));
            watermark = current;
        }
        return current.bounds();
    }

    /** Closes every client connection (handshaken or not) with the given reason; see {@link #openCount()}. */
    public void closeAll(CloseReason reason) {
        sweepers.closeAll(reason);
    }

    /** Connections admitted and not bound yet. */
    public int handshakesInFlight() {
        return admission.inFlight();
    }

    /** Client connections still open, handshaken or not. */
    public int openCount() {
        return sweepers.openCount();
    }

    @Override
    protected void initChannel(Channel channel) {
        WebSocketConfig config = this.config.get();
        channel.config().setWriteBufferWaterMark(watermark(config)).setRecvByteBufAllocator(READS);
        TlsContext tls = this.tls.get();
        if (tls.enabled()) {
            channel.pipeline()
                    .addLast("tls", tls.newHandler(channel.alloc(), config.bindTimeout()))
                    .addLast("tls-handshake", tlsHandshake);
        }
        channel.pipeline()
                .addLast("client", new ClientFrameHandler(services, config))
                .addLast(
                        "http", new HttpServerCodec(MAX_REQUEST_LINE_BYTES, MAX_HEADER_BYTES, MAX_HANDSHAKE_BODY_BYTES))
                .addLast("http-aggregator", new HttpObjectAggregator(MAX_HANDSHAKE_BODY_BYTES))
                .addLast("handshake-validator", validator)
                .addLast("upgrade", WebSocketUpgradeHandler.INSTANCE);
    }
}
