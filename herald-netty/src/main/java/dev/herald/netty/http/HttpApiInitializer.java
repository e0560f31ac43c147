package dev.herald.netty.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;

/** The HTTP pipeline: {@code HttpServerCodec → HttpServerKeepAliveHandler → HttpObjectAggregator → HttpApiHandler}. */
public final class HttpApiInitializer extends ChannelInitializer<Channel> {

    private static final int MAX_BODY_BYTES = 64 * 1024;

    private final HttpApiHandler handler;

    public HttpApiInitializer(HttpApiHandler handler) {
        this.handler = handler;
    }

    public WriteBufferWaterMark watermark() {
        return new WriteBufferWaterMark(32 * 1024, 256 * 1024);
    }

    @Override
    protected void initChannel(Channel channel) {
        channel.pipeline()
                .addLast("http", new HttpServerCodec())
                .addLast("keep-alive", new HttpServerKeepAliveHandler())
                .addLast("aggregator", new HttpObjectAggregator(MAX_BODY_BYTES))
                .addLast("api", handler);
    }
}
