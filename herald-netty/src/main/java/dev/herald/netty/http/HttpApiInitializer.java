package dev.herald.netty.http;

import dev.herald.netty.StalledReadTimeout;
import dev.herald.netty.tls.TlsContext;
import dev.herald.netty.tls.TlsHandshakeHandler;
import dev.herald.netty.tls.TlsStats;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import java.util.function.Supplier;

/**
 * The HTTP pipeline: {@code [SslHandler → TlsHandshakeHandler →] StalledReadTimeout → HttpServerCodec →
 * HttpServerKeepAliveHandler → BodyAggregator → HttpApiHandler}; with TLS on ({@code http.tls.*}) the TLS
 * handshake must finish within {@code read-timeout}. The codec bounds the request line ({@value #MAX_REQUEST_LINE_BYTES} bytes, else 414)
 * and the headers ({@value #MAX_HEADER_BYTES} bytes, else 431); the aggregator bounds the body
 * ({@code http.max-body-bytes}, else 413); the keep-alive handler closes the connection after an answer
 * that says {@code Connection: close}.
 */
public final class HttpApiInitializer extends ChannelInitializer<Channel> {

    /** Longest request line, in bytes. */
    public static final int MAX_REQUEST_LINE_BYTES = 4096;
    /** Largest header block, in bytes. */
    public static final int MAX_HEADER_BYTES = 8192;

    private static final int MAX_CHUNK_BYTES = 8192;

    private final HttpServices services;
    private final Supplier<HttpConfig> config;
    private final HttpStats stats;
    private final Supplier<TlsContext> tls;
    private final TlsHandshakeHandler tlsHandshake;
    private final HttpAccess access;

    public HttpApiInitializer(HttpServices services, HttpConfig config, HttpStats stats) {
        this(services, () -> config, stats, () -> TlsContext.OFF, new TlsStats());
    }

    /**
     * An HTTP listener whose {@code max-body-bytes}, {@code read-timeout} and TLS context are read when a
     * connection opens.
     */
    public HttpApiInitializer(
            HttpServices services,
            Supplier<HttpConfig> config,
            HttpStats stats,
            Supplier<TlsContext> tls,
            TlsStats tlsStats) {
        this.services = services;
        this.config = config;
        this.stats = stats;
        this.tls = tls;
        this.tlsHandshake = new TlsHandshakeHandler(tlsStats);
        this.access = new HttpAccess(services.apiKeys(), () -> config.get().maxPushesPerSecond());
    }

    /** Answers queued beyond the high mark pause reading the connection until they drain to the low one. */
    public WriteBufferWaterMark watermark() {
        return new WriteBufferWaterMark(32 * 1024, 256 * 1024);
    }

    @Override
    protected void initChannel(Channel channel) {
        HttpConfig config = this.config.get();
        TlsContext tls = this.tls.get();
        if (tls.enabled()) {
            channel.pipeline()
                    .addLast("tls", tls.newHandler(channel.alloc(), config.readTimeout()))
                    .addLast("tls-handshake", tlsHandshake);
        }
        channel.pipeline()
                .addLast("stall", new StalledReadTimeout(config.readTimeout(), StalledReadTimeout.UNTIL_COMPLETED))
                .addLast("http", new HttpServerCodec(MAX_REQUEST_LINE_BYTES, MAX_HEADER_BYTES, MAX_CHUNK_BYTES))
                .addLast("keep-alive", new HttpServerKeepAliveHandler())
                .addLast("aggregator", new BodyAggregator(config.maxBodyBytes()))
                .addLast("api", new HttpApiHandler(services, stats, access));
    }
}
