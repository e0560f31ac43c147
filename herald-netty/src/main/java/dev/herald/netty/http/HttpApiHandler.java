package dev.herald.netty.http;

import dev.herald.netty.OrderedReplies;
import dev.herald.netty.backend.CommandReply;
import dev.herald.protocol.backend.ApiError;
import dev.herald.protocol.backend.BackendCommand;
import dev.herald.protocol.backend.CommandParser;
import dev.herald.protocol.backend.CommandReplies;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP listener's routes:
 *
 * <ul>
 *   <li>{@code POST /api/<verb>}: a backend command, the JSON body being its parameters, exactly as
 *       after the verb on the Text port (see {@link CommandParser#VERBS}); API key required
 *   <li>{@code GET /stats} (API key), {@code POST /admin/reload} (API key)
 *   <li>{@code GET /metrics}, {@code GET /healthz}, {@code GET /readyz}, {@code GET /openapi.json}: open
 * </ul>
 *
 * API keys: with keys configured, {@code Authorization: Bearer <key>} must name one (else 401); with
 * none, only loopback clients may call (else 403). Pipelined requests are answered in order. One
 * instance per connection.
 */
public final class HttpApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(HttpApiHandler.class);
    private static final String JSON = "application/json";
    private static final byte[] OPENAPI = resource("/openapi.json");

    private final HttpServices services;
    private final HttpStats stats;
    private final OrderedReplies replies = new OrderedReplies(() -> {});

    public HttpApiHandler(HttpServices services, HttpStats stats) {
        this.services = services;
        this.stats = stats;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        stats.requests.increment();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpVersion version = request.protocolVersion();
        boolean head = request.method().equals(HttpMethod.HEAD);
        CompletionStage<FullHttpResponse> response =
                route(ctx, request).thenApply(reply -> reply.toResponse(version, keepAlive, head));
        replies.add(ctx, response.thenApply(r -> {
            stats.responded(r.status().code());
            return r;
        }));
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        ctx.fireChannelReadComplete();
    }

    /** A response before its HTTP framing. */
    private record Reply(
            HttpResponseStatus status, String contentType, byte[] body, String headerName, String headerValue) {

        static Reply json(CommandReply reply) {
            return new Reply(HttpResponseStatus.valueOf(reply.status()), JSON, reply.json(), null, null);
        }

        static Reply error(ApiError error) {
            return json(CommandReply.error(error));
        }

        static Reply text(HttpResponseStatus status, String text) {
            return new Reply(status, "text/plain", text.getBytes(StandardCharsets.UTF_8), null, null);
        }

        Reply with(String name, String value) {
            return new Reply(status, contentType, body, name, value);
        }

        FullHttpResponse toResponse(HttpVersion version, boolean keepAlive, boolean head) {
            ByteBuf content = head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
            FullHttpResponse response = new DefaultFullHttpResponse(version, status, content);
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, contentType + "; charset=utf-8")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            if (headerName != null) {
                response.headers().set(headerName, headerValue);
            }
            HttpUtil.setKeepAlive(response, keepAlive);
            return response;
        }
    }

    private CompletionStage<Reply> route(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            return done(Reply.error(new ApiError(ApiError.INVALID_JSON, "malformed HTTP request", null)));
        }
        String path = new QueryStringDecoder(request.uri()).path();
        HttpMethod method = request.method();
        if (path.startsWith("/api/")) {
            String verb = path.substring("/api/".length());
            if (!CommandParser.VERBS.contains(verb)) {
                return done(Reply.error(new ApiError(ApiError.NOT_FOUND, "no command " + verb, null)));
            }
            if (!method.equals(HttpMethod.POST)) {
                return done(methodNotAllowed("POST"));
            }
            return authorized(ctx, request) ? command(verb, request) : done(refusal(ctx));
        }
        switch (path) {
            case "/healthz", "/readyz", "/metrics", "/openapi.json", "/stats" -> {
                if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
                    return done(methodNotAllowed("GET, HEAD"));
                }
            }
            case "/admin/reload" -> {
                if (!method.equals(HttpMethod.POST)) {
                    return done(methodNotAllowed("POST"));
                }
            }
            default -> {
                return done(Reply.error(new ApiError(ApiError.NOT_FOUND, "no such path: " + path, null)));
            }
        }
        return switch (path) {
            case "/healthz" -> done(Reply.text(HttpResponseStatus.OK, "ok\n"));
            case "/readyz" ->
                done(
                        services.ready().getAsBoolean()
                                ? Reply.text(HttpResponseStatus.OK, "ready\n")
                                : Reply.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready\n"));
            case "/metrics" ->
                done(new Reply(
                        HttpResponseStatus.OK,
                        "text/plain; version=0.0.4",
                        services.metrics().get().getBytes(StandardCharsets.UTF_8),
                        null,
                        null));
            case "/openapi.json" -> done(new Reply(HttpResponseStatus.OK, JSON, OPENAPI, null, null));
            case "/stats" ->
                authorized(ctx, request)
                        ? done(Reply.json(CommandReply.ok(
                                CommandReplies.map(services.stats().get()))))
                        : done(refusal(ctx));
            default -> authorized(ctx, request) ? services.reload().get().thenApply(Reply::json) : done(refusal(ctx));
        };
    }

    private CompletionStage<Reply> command(String verb, FullHttpRequest request) {
        ByteBuf content = request.content();
        int length = content.readableBytes();
        if (length > 0 && !isJson(request)) {
            return done(Reply.error(
                    new ApiError(ApiError.UNSUPPORTED_MEDIA_TYPE, "the body must be application/json", null)));
        }
        byte[] body = ByteBufUtil.getBytes(content);
        BackendCommand command = services.parser().parse(verb, body, 0, body.length);
        return services.executor().execute(command, stats.pushes).thenApply(Reply::json);
    }

    private static boolean isJson(FullHttpRequest request) {
        String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (type == null) {
            return false;
        }
        int semicolon = type.indexOf(';');
        String mime = (semicolon < 0 ? type : type.substring(0, semicolon)).trim();
        return mime.equalsIgnoreCase(JSON);
    }

    private boolean authorized(ChannelHandlerContext ctx, FullHttpRequest request) {
        List<String> keys = services.apiKeys().get();
        if (keys.isEmpty()) {
            return isLoopback(ctx);
        }
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        boolean match = false;
        for (String key : keys) {
            match |= MessageDigest.isEqual(given, key.getBytes(StandardCharsets.UTF_8));
        }
        return match;
    }

    private Reply refusal(ChannelHandlerContext ctx) {
        if (services.apiKeys().get().isEmpty()) {
            log.debug(
                    "refused API call from {}: not loopback and no API keys configured",
                    ctx.channel().remoteAddress());
            return Reply.error(new ApiError(
                    ApiError.FORBIDDEN, "no API keys are configured: the API answers loopback clients only", null));
        }
        log.debug(
                "refused API call from {}: missing or unknown API key",
                ctx.channel().remoteAddress());
        return Reply.error(new ApiError(
                        ApiError.UNAUTHORIZED, "missing or unknown API key (Authorization: Bearer KEY)", null))
                .with(HttpHeaderNames.WWW_AUTHENTICATE.toString(), "Bearer");
    }

    private static boolean isLoopback(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress address
                && address.getAddress() != null
                && address.getAddress().isLoopbackAddress();
    }

    private static Reply methodNotAllowed(String allow) {
        return Reply.error(new ApiError(ApiError.METHOD_NOT_ALLOWED, "use " + allow, null))
                .with(HttpHeaderNames.ALLOW.toString(), allow);
    }

    private static CompletionStage<Reply> done(Reply reply) {
        return CompletableFuture.completedFuture(reply);
    }

    /** A client that pipelines requests without reading the answers is not read until it catches up. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("http connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    private static byte[] resource(String name) {
        try (InputStream in = HttpApiHandler.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
