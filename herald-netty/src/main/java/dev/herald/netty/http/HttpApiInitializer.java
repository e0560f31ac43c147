package dev.herald.netty.http;

import dev.herald.netty.StalledReadTimeout;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import java.util.function.Supplier;

/**
 * The HTTP pipeline: {@code HttpServerCodec → HttpServerKeepAliveHandler → BodyAggregator →
 * HttpApiHandler}. The codec bounds the request line ({@value #MAX_REQUEST_LINE_BYTES} bytes, else 414)
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
    private final HttpAccess access;

    public HttpApiInitializer(HttpServices services, HttpConfig config, HttpStats stats) {
        this(services, () -> config, stats);
    }

    /** An HTTP listener whose {@code max-body-bytes} is read when a connection opens. */
    public HttpApiInitializer(HttpServices services, Supplier<HttpConfig> config, HttpStats stats) {
        this.services = services;
        this.config = config;
        this.stats = stats;
        this.access = new HttpAccess(services.apiKeys(), () -> config.get().maxPushesPerSecond());
    }

    /** Answers queued beyond the high mark pause reading the connection until they drain to the low one. */
    public WriteBufferWaterMark watermark() {
        return new WriteBufferWaterMark(32 * 1024, 256 * 1024);
    }

    @Override
    protected void initChannel(Channel channel) {
        channel.pipeline()
                .addLast(
                        "stall", new StalledReadTimeout(config.get().readTimeout(), StalledReadTimeout.UNTIL_COMPLETED))
                .addLast("http", new HttpServerCodec(MAX_REQUEST_LINE_BYTES, MAX_HEADER_BYTES, MAX_CHUNK_BYTES))
                .addLast("keep-alive", new HttpServerKeepAliveHandler())
                .addLast("aggregator", new BodyAggregator(config.get().maxBodyBytes()))
                .addLast("api", new HttpApiHandler(services, stats, access));
    }
}
