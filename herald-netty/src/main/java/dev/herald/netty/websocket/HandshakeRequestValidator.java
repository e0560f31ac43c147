package dev.herald.netty.websocket;

import dev.herald.core.CloseReason;
import dev.herald.protocol.client.ClientJson;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses requests that are not an RFC 6455 version-13 opening handshake before Netty's handshaker
 * sees them (which would otherwise fall back to the obsolete Hixie drafts):
 *
 * <ul>
 *   <li>a malformed request: 400 (414 for a long request line, 431 for large headers)
 *   <li>a method other than GET: 405
 *   <li>no {@code Upgrade: websocket}: 426 Upgrade Required
 *   <li>a {@code Sec-WebSocket-Version} other than 13, or none: 426 with {@code Sec-WebSocket-Version: 13}
 *   <li>no {@code Connection: Upgrade}, or a {@code Sec-WebSocket-Key} missing or not 16 base64 bytes: 400
 *   <li>an {@code Origin} that {@code websocket.allowed-origins} does not allow: 403 (logged)
 * </ul>
 *
 * Every refusal closes the connection. Shared by the listener's connections; reads the configuration in
 * force for each request.
 */
@Sharable
final class HandshakeRequestValidator extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(HandshakeRequestValidator.class);

    private final Supplier<WebSocketConfig> config;
    private final WebSocketStats stats;
    private final Admission admission;

    private static final long REFUSAL_LOG_INTERVAL_NANOS = 10_000_000_000L;
    private final java.util.concurrent.atomic.AtomicLong lastRefusalLog =
            new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - REFUSAL_LOG_INTERVAL_NANOS);

    HandshakeRequestValidator(Supplier<WebSocketConfig> config, WebSocketStats stats, Admission admission) {
        this.config = config;
        this.stats = stats;
        this.admission = admission;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        FullHttpResponse refusal = refusal(request);
        if (refusal == null) {
            String origin = request.headers().get(HttpHeaderNames.ORIGIN);
            if (config.get().allowedOrigins().allows(origin)) {
                admit(ctx, request);
                return;
            }
            stats.originRefused();
            log.info(
                    "refused handshake from {}: origin {} is not in websocket.allowed-origins",
                    ctx.channel().remoteAddress(),
                    origin);
            refusal = response(HttpResponseStatus.FORBIDDEN, "origin not allowed");
        }
        log.debug("refused handshake from {}: {} {}", ctx.channel().remoteAddress(), refusal.status(), request.uri());
        ReferenceCountUtil.release(msg);
        ctx.writeAndFlush(refusal).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * Admission control, the last check before the upgrade: a refused seed client gets 503 (or 429 for
     * its address's cap) with {@code Retry-After}; a {@code herald.v1} client, whose browser cannot
     * read a refused handshake's status, gets the upgrade and at once the close code 1013 with
     * {@code retry after N s}, and nothing else is set up for it.
     */
    private void admit(ChannelHandlerContext ctx, FullHttpRequest request) {
        InetAddress address =
                ctx.channel().remoteAddress() instanceof InetSocketAddress remote ? remote.getAddress() : null;
        Admission.Refusal refusal = admission.admit(address);
        if (refusal == null) {
            ClientFrameHandler client = ctx.pipeline().get(ClientFrameHandler.class);
            client.admitted(address);
            ctx.fireChannelRead(request);
            return;
        }
        logRefusal(ctx, refusal);
        if (WebSocketUpgradeHandler.offersHeraldV1(request)) {
            FullHttpResponse upgrade = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS, Unpooled.EMPTY_BUFFER);
            upgrade.headers()
                    .set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE)
                    .set(
                            HttpHeaderNames.SEC_WEBSOCKET_ACCEPT,
                            WebSocketUpgradeHandler.accept(request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_KEY)))
                    .set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, ClientJson.SUBPROTOCOL);
            ReferenceCountUtil.release(request);
            ctx.write(upgrade);
            ctx.pipeline().remove("http-aggregator");
            ctx.pipeline().remove("http");
            ctx.writeAndFlush(WebSocketFrames.close(
                            ctx.alloc(),
                            CloseReason.TRY_AGAIN_LATER.code(),
                            "retry after " + refusal.retryAfterSeconds() + " s"))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        FullHttpResponse response = response(HttpResponseStatus.valueOf(refusal.status()), refusal.text());
        response.headers().setInt(HttpHeaderNames.RETRY_AFTER, refusal.retryAfterSeconds());
        ReferenceCountUtil.release(request);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * Logs a refusal at DEBUG, and at INFO at most once per {@link #REFUSAL_LOG_INTERVAL_NANOS} (a storm
     * of 10,000 refusals is one INFO line, with the count so far, not 10,000).
     */
    private void logRefusal(ChannelHandlerContext ctx, Admission.Refusal refusal) {
        long now = System.nanoTime();
        long last = lastRefusalLog.get();
        if (now - last >= REFUSAL_LOG_INTERVAL_NANOS && lastRefusalLog.compareAndSet(last, now)) {
            log.info(
                    "admission control refusing handshakes: {} ({}) to {}, retry after {} s; refused so far: {}",
                    refusal.text(),
                    refusal.reason(),
                    ctx.channel().remoteAddress(),
                    refusal.retryAfterSeconds(),
                    stats.handshakesRefused());
        } else {
            log.debug(
                    "refused handshake from {}: {} ({}), retry after {} s",
                    ctx.channel().remoteAddress(),
                    refusal.text(),
                    refusal.reason(),
                    refusal.retryAfterSeconds());
        }
    }

    static FullHttpResponse refusal(FullHttpRequest request) {
        DecoderResult decoded = request.decoderResult();
        if (decoded.isFailure()) {
            Throwable cause = decoded.cause();
            if (cause instanceof TooLongHttpLineException) {
                return response(HttpResponseStatus.REQUEST_URI_TOO_LONG, "request line too long");
            }
            if (cause instanceof TooLongHttpHeaderException) {
                return response(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers too large");
            }
            return response(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request");
        }
        if (!request.method().equals(HttpMethod.GET)) {
            FullHttpResponse response =
                    response(HttpResponseStatus.METHOD_NOT_ALLOWED, "a WebSocket handshake is a GET request");
            response.headers().set(HttpHeaderNames.ALLOW, "GET");
            return response;
        }
        if (!request.uri().startsWith("/")) {
            return response(HttpResponseStatus.BAD_REQUEST, "request target must be a path");
        }
        HttpHeaders headers = request.headers();
        if (!headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            FullHttpResponse response = response(
                    HttpResponseStatus.UPGRADE_REQUIRED, "this is a WebSocket endpoint: send Upgrade: websocket");
            response.headers().set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
            response.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
            return response;
        }
        if (!"13".equals(headers.get(HttpHeaderNames.SEC_WEBSOCKET_VERSION))) {
            FullHttpResponse response =
                    response(HttpResponseStatus.UPGRADE_REQUIRED, "unsupported WebSocket version: 13 expected");
            response.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
            return response;
        }
        if (!headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
            return response(HttpResponseStatus.BAD_REQUEST, "missing Connection: Upgrade");
        }
        if (!validKey(headers.get(HttpHeaderNames.SEC_WEBSOCKET_KEY))) {
            return response(HttpResponseStatus.BAD_REQUEST, "missing or invalid Sec-WebSocket-Key");
        }
        return null;
    }

    private static boolean validKey(String key) {
        if (key == null || key.length() != 24) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static FullHttpResponse response(HttpResponseStatus status, String text) {
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(text + "\n", StandardCharsets.UTF_8));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return response;
    }
}
