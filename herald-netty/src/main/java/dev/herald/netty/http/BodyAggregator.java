package dev.herald.netty.http;

import dev.herald.protocol.backend.ApiError;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * Aggregates a request and its body into one {@link FullHttpRequest}, up to {@code maxBodyBytes}.
 *
 * <p>Unlike Netty's {@link HttpObjectAggregator}, it writes no answers itself (but {@code 100 Continue}),
 * so that every final answer goes through {@link HttpApiHandler} in request order. A request it refuses
 * is passed on without a body, its decoder result failed with a {@link Refusal}:
 *
 * <ul>
 *   <li>a {@code Content-Length} over the limit: refused as soon as the headers are read; the body is
 *       read and discarded as it comes, and the connection stays usable;
 *   <li>the same with {@code Expect: 100-continue}: refused without a {@code 100 Continue}; as the client
 *       may send the body or not, nothing after it can be framed, so the connection is closed after the
 *       answer;
 *   <li>an {@code Expect} other than {@code 100-continue}: refused ({@code 417}), then closed likewise;
 *   <li>a chunked body that grows over the limit: refused when it does; the rest is discarded and the
 *       connection stays usable.
 * </ul>
 *
 * One instance per channel.
 */
final class BodyAggregator extends HttpObjectAggregator {

    /** Why a request was answered without its body, and whether the connection must close after it. */
    static final class Refusal extends RuntimeException {
        final ApiError error;
        final boolean close;

        Refusal(ApiError error, boolean close) {
            super(error.message(), null, false, false);
            this.error = error;
            this.close = close;
        }
    }

    private boolean discarding;

    BodyAggregator(int maxBodyBytes) {
        super(maxBodyBytes);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, HttpObject msg, List<Object> out) throws Exception {
        if (msg instanceof HttpRequest request) {
            discarding = false;
            Refusal refusal = request.decoderResult().isSuccess() ? refusal(request) : null;
            if (refusal != null) {
                out.add(refused(request, refusal));
                discarding = !(msg instanceof LastHttpContent);
                return;
            }
        } else if (discarding) {
            if (msg.decoderResult().isFailure()) {
                // The request was answered already; the decoder reads nothing more, so the connection is over.
                discarding = false;
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            } else if (msg instanceof LastHttpContent) {
                discarding = false;
            }
            return;
        }
        super.decode(ctx, msg, out);
    }

    private Refusal refusal(HttpRequest request) {
        if (isUnsupportedExpectation(request)) {
            return new Refusal(
                    new ApiError(ApiError.EXPECTATION_FAILED, "only Expect: 100-continue is supported", null), true);
        }
        if (isContentLengthInvalid(request, maxContentLength())) {
            return new Refusal(tooLarge(), HttpUtil.is100ContinueExpected(request));
        }
        return null;
    }

    /** As Netty's aggregator: HTTP/1.0 expectations are ignored (RFC 9110 §10.1.1). */
    private static boolean isUnsupportedExpectation(HttpRequest request) {
        String expect = request.headers().get(HttpHeaderNames.EXPECT);
        return expect != null
                && request.protocolVersion().compareTo(HttpVersion.HTTP_1_1) >= 0
                && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect);
    }

    /** Called for a chunked body that grew over the limit (a too-large Content-Length is refused earlier). */
    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        discarding = true;
        ctx.fireChannelRead(refused((HttpRequest) oversized, new Refusal(tooLarge(), false)));
    }

    private ApiError tooLarge() {
        return new ApiError(ApiError.TOO_LARGE, "the body is larger than " + maxContentLength() + " bytes", null);
    }

    private static FullHttpRequest refused(HttpRequest request, Refusal refusal) {
        FullHttpRequest refused = new DefaultFullHttpRequest(
                request.protocolVersion(),
                request.method(),
                request.uri(),
                Unpooled.EMPTY_BUFFER,
                request.headers().copy(),
                EmptyHttpHeaders.INSTANCE);
        refused.setDecoderResult(DecoderResult.failure(refusal));
        return refused;
    }
}
