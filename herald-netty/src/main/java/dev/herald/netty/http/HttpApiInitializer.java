package dev.herald.netty.http;

import dev.herald.protocol.backend.ApiError;
import dev.herald.protocol.backend.CommandReplies;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpVersion;
import java.util.function.Supplier;

/**
 * The HTTP pipeline: {@code HttpServerCodec → HttpServerKeepAliveHandler → HttpObjectAggregator (413
 * as JSON) → HttpApiHandler}.
 */
public final class HttpApiInitializer extends ChannelInitializer<Channel> {

    private final HttpServices services;
    private final Supplier<HttpConfig> config;
    private final HttpStats stats;

    public HttpApiInitializer(HttpServices services, HttpConfig config, HttpStats stats) {
        this(services, () -> config, stats);
    }

    /** An HTTP listener whose {@code max-body-bytes} is read when a connection opens. */
    public HttpApiInitializer(HttpServices services, Supplier<HttpConfig> config, HttpStats stats) {
        this.services = services;
        this.config = config;
        this.stats = stats;
    }

    public WriteBufferWaterMark watermark() {
        return new WriteBufferWaterMark(32 * 1024, 256 * 1024);
    }

    @Override
    protected void initChannel(Channel channel) {
        channel.pipeline()
                .addLast("http", new HttpServerCodec())
                .addLast("keep-alive", new HttpServerKeepAliveHandler())
                .addLast("aggregator", new BodyAggregator(config.get().maxBodyBytes(), stats))
                .addLast("api", new HttpApiHandler(services, stats));
    }

    /** Answers a body over the limit with a JSON 413 and closes, instead of Netty's empty one. */
    private static final class BodyAggregator extends HttpObjectAggregator {
        private final HttpStats stats;

        BodyAggregator(int maxContentLength, HttpStats stats) {
            super(maxContentLength);
            this.stats = stats;
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            stats.requests.increment();
            stats.responded(413);
            ApiError error =
                    new ApiError(ApiError.TOO_LARGE, "the body is larger than " + maxContentLength() + " bytes", null);
            byte[] body = CommandReplies.error(error);
            FullHttpResponse response = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.wrappedBuffer(body));
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                    .set(HttpHeaderNames.CONNECTION, "close");
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
