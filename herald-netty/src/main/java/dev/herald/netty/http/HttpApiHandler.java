package dev.herald.netty.http;

import dev.herald.netty.OrderedReplies;
import dev.herald.netty.StalledReadTimeout;
import dev.herald.netty.backend.CommandReply;
import dev.herald.protocol.backend.ApiError;
import dev.herald.protocol.backend.BackendCommand;
import dev.herald.protocol.backend.BackendCommand.Push;
import dev.herald.protocol.backend.BackendKey;
import dev.herald.protocol.backend.BackendKeys;
import dev.herald.protocol.backend.CommandParser;
import dev.herald.protocol.backend.CommandReplies;
import dev.herald.protocol.backend.Scope;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
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
 * Every {@code GET} route answers {@code HEAD} too. Paths match exactly (no trailing slash); the query
 * string is ignored. Every answer but {@code /healthz}, {@code /readyz} and {@code /metrics} with 200 is
 * JSON; errors are {@code {"error":{"code":…,"message":…,"field":…}}}.
 *
 * <p>API keys: with keys configured, {@code Authorization: Bearer <key>} must name one (else 401) whose
 * scopes cover the route ({@link Scope}: else 403 {@code forbidden}); with none, only loopback clients
 * may call (else 403). Pushes past the key's {@code http.max-pushes-per-second} get 429
 * {@code rate_limited} with {@code Retry-After}. Pipelined requests are answered in order; after a
 * request that does not keep the connection alive, or that cannot be decoded, later requests are not
 * processed and the connection is closed once the answers are written. While the client does not read
 * its answers (the channel is not writable), the connection is not read. One instance per connection;
 * confined to its event loop.
 */
public final class HttpApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    /**
     * The routes besides {@code /api/<verb>} ({@code POST} only), with the methods each allows, as in the
     * {@code Allow} header of a 405.
     */
    public static final Map<String, String> FIXED_ROUTES = Map.of(
            "/healthz", "GET, HEAD",
            "/readyz", "GET, HEAD",
            "/metrics", "GET, HEAD",
            "/openapi.json", "GET, HEAD",
            "/stats", "GET, HEAD",
            "/admin/reload", "POST");

    /** The prefix of the command routes: {@code /api/<verb>}. */
    public static final String API_PREFIX = "/api/";

    private static final Logger log = LoggerFactory.getLogger(HttpApiHandler.class);
    private static final String JSON = "application/json";
    private static final String TEXT = "text/plain";
    private static final byte[] OPENAPI = resource("/openapi.json");

    private final HttpServices services;
    private final HttpStats stats;
    private final HttpAccess access;
    private final OrderedReplies replies;
    private ChannelHandlerContext context;
    /** Set once a request ends the connection: later ones are not processed (RFC 9112 §9.6). */
    private boolean closing;

    public HttpApiHandler(HttpServices services, HttpStats stats) {
        this(services, stats, new HttpAccess(services.apiKeys(), () -> 0));
    }

    HttpApiHandler(HttpServices services, HttpStats stats, HttpAccess access) {
        this.services = services;
        this.stats = stats;
        this.access = access;
        this.replies = new OrderedReplies(() -> closeIfAnswered(context));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (closing) {
            return;
        }
        StalledReadTimeout stall = ctx.pipeline().get(StalledReadTimeout.class);
        if (stall != null) {
            stall.completed(); // read whole: however long it now takes to answer, it is not stalled
        }
        stats.requests.increment();
        Throwable failure = request.decoderResult().cause();
        boolean fatal = failure != null && !(failure instanceof BodyAggregator.Refusal);
        boolean keepAlive = HttpUtil.isKeepAlive(request)
                && !fatal
                && !(failure instanceof BodyAggregator.Refusal refusal && refusal.close);
        boolean http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        boolean head = request.method().equals(HttpMethod.HEAD);
        CompletionStage<Reply> reply;
        try {
            reply = fatal ? done(decoderFailure(ctx, failure)) : route(ctx, request);
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        replies.add(ctx, reply.exceptionally(HttpApiHandler::internalError).thenApply(r -> {
            stats.responded(r.status().code());
            return r.toResponse(keepAlive, http10, head);
        }));
        if (!keepAlive) {
            closing = true;
        }
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
            return new Reply(status, TEXT, text.getBytes(StandardCharsets.UTF_8), null, null);
        }

        Reply with(CharSequence name, String value) {
            return new Reply(status, contentType, body, name.toString(), value);
        }

        /**
         * Always HTTP/1.1 (RFC 9110 §6.2: the highest version the server conforms to); an HTTP/1.0 client
         * that keeps the connection alive is told so explicitly.
         */
        FullHttpResponse toResponse(boolean keepAlive, boolean http10, boolean head) {
            ByteBuf content = head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, contentType + "; charset=utf-8")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            if (headerName != null) {
                response.headers().set(headerName, headerValue);
            }
            if (!keepAlive) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            } else if (http10) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            return response;
        }
    }

    private CompletionStage<Reply> route(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.decoderResult().cause() instanceof BodyAggregator.Refusal refusal) {
            return done(Reply.error(refusal.error));
        }
        String path;
        try {
            path = path(request.uri());
        } catch (IllegalArgumentException e) {
            return done(Reply.error(
                    new ApiError(ApiError.BAD_REQUEST, "the path is not well-formed: " + e.getMessage(), null)));
        }
        HttpMethod method = request.method();
        if (path.startsWith(API_PREFIX)) {
            String verb = path.substring(API_PREFIX.length());
            if (!CommandParser.VERBS.contains(verb)) {
                return done(notFound(path));
            }
            if (!method.equals(HttpMethod.POST)) {
                return done(methodNotAllowed("POST"));
            }
            Caller caller = caller(ctx, request);
            if (caller == null) {
                return done(refusal(ctx));
            }
            Scope scope = Scope.ofVerb(verb);
            return caller.allows(scope) ? command(ctx, caller, verb, request) : done(forbidden(ctx, scope));
        }
        String allow = FIXED_ROUTES.get(path);
        if (allow == null) {
            return done(notFound(path));
        }
        boolean get = method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD);
        if (allow.startsWith("GET") ? !get : !method.equals(HttpMethod.POST)) {
            return done(methodNotAllowed(allow));
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
                admin(
                        ctx,
                        request,
                        () -> done(Reply.json(CommandReply.ok(
                                CommandReplies.map(services.stats().get())))));
            default -> admin(ctx, request, () -> services.reload().get().thenApply(Reply::json));
        };
    }

    /** A route that needs the {@code admin} scope. */
    private CompletionStage<Reply> admin(
            ChannelHandlerContext ctx, FullHttpRequest request, Supplier<CompletionStage<Reply>> route) {
        Caller caller = caller(ctx, request);
        if (caller == null) {
            return done(refusal(ctx));
        }
        return caller.allows(Scope.ADMIN) ? route.get() : done(forbidden(ctx, Scope.ADMIN));
    }

    /**
     * The request target's path, percent-decoded, without query or fragment. The absolute form
     * ({@code http://host/path}, RFC 9112 §3.2.2) is accepted too.
     */
    static String path(String uri) {
        if (!uri.startsWith("/")) {
            int scheme = uri.indexOf("://");
            if (scheme > 0) {
                int slash = uri.indexOf('/', scheme + 3);
                uri = slash < 0 ? "/" : uri.substring(slash);
            }
        }
        return new QueryStringDecoder(uri).path();
    }

    private CompletionStage<Reply> command(
            ChannelHandlerContext ctx, Caller caller, String verb, FullHttpRequest request) {
        ByteBuf content = request.content();
        if (content.isReadable() && !isJson(request.headers().get(HttpHeaderNames.CONTENT_TYPE))) {
            return done(Reply.error(
                    new ApiError(ApiError.UNSUPPORTED_MEDIA_TYPE, "the body must be application/json (UTF-8)", null)));
        }
        byte[] body = ByteBufUtil.getBytes(content);
        BackendCommand command = services.parser().parse(verb, body, 0, body.length);
        if (command instanceof Push push) {
            long retryAfter = access.take(caller.key(), push.items().size());
            if (retryAfter > 0) {
                return done(rateLimited(ctx, caller, retryAfter));
            }
        }
        return services.executor().execute(command, stats.pushes).thenApply(Reply::json);
    }

    /** {@code application/json}, with no parameter or {@code charset=utf-8}. */
    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String[] parts = contentType.split(";");
        if (!parts[0].trim().equalsIgnoreCase(JSON)) {
            return false;
        }
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].trim().toLowerCase(Locale.ROOT);
            if (parameter.startsWith("charset=")
                    && !parameter
                            .substring("charset=".length())
                            .replace("\"", "")
                            .equals("utf-8")) {
                return false;
            }
        }
        return true;
    }

    /**
     * Who calls: with keys configured, the key named by {@code Authorization: Bearer KEY}; with none, a
     * loopback client (every scope). {@code null}: refused (401, or 403 off loopback without keys).
     */
    private record Caller(BackendKey key) {
        boolean allows(Scope scope) {
            return key == null || key.allows(scope);
        }
    }

    private static final Caller LOOPBACK = new Caller(null);

    private Caller caller(ChannelHandlerContext ctx, FullHttpRequest request) {
        BackendKeys keys = access.keys();
        if (keys.isEmpty()) {
            return isLoopback(ctx) ? LOOPBACK : null;
        }
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return keys.match(header.substring(7).trim()).map(Caller::new).orElse(null);
    }

    private static Reply forbidden(ChannelHandlerContext ctx, Scope scope) {
        log.debug(
                "refused API call from {}: the key lacks the {} scope",
                ctx.channel().remoteAddress(),
                scope.word());
        return Reply.error(new ApiError(ApiError.FORBIDDEN, "the API key lacks the " + scope.word() + " scope", null));
    }

    private Reply rateLimited(ChannelHandlerContext ctx, Caller caller, long retryAfter) {
        stats.pushes.failed();
        int rate = access.maxPushesPerSecond();
        if (access.rateLog.allows()) {
            log.info(
                    "HTTP API caller {} passed http.max-pushes-per-second ({}): pushes refused with 429 rate_limited",
                    ctx.channel().remoteAddress(),
                    rate);
        }
        return Reply.error(new ApiError(
                        ApiError.RATE_LIMITED,
                        "more than " + rate + " pushes per second with this API key (http.max-pushes-per-second);"
                                + " retry after " + retryAfter + " s",
                        null))
                .with(HttpHeaderNames.RETRY_AFTER, Long.toString(retryAfter));
    }

    private Reply refusal(ChannelHandlerContext ctx) {
        if (access.keys().isEmpty()) {
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
                .with(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
    }

    private static boolean isLoopback(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress address
                && address.getAddress() != null
                && address.getAddress().isLoopbackAddress();
    }

    private static Reply decoderFailure(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("malformed HTTP request from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        if (cause instanceof TooLongHttpLineException) {
            return Reply.error(new ApiError(ApiError.URI_TOO_LONG, "the request line is too long", null));
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return Reply.error(new ApiError(ApiError.HEADERS_TOO_LARGE, "the headers are too large", null));
        }
        return Reply.error(new ApiError(ApiError.BAD_REQUEST, "malformed HTTP request: " + cause.getMessage(), null));
    }

    private static Reply notFound(String path) {
        return Reply.error(new ApiError(ApiError.NOT_FOUND, "no such path: " + path, null));
    }

    private static Reply methodNotAllowed(String allow) {
        return Reply.error(new ApiError(ApiError.METHOD_NOT_ALLOWED, "use " + allow, null))
                .with(HttpHeaderNames.ALLOW, allow);
    }

    private static Reply internalError(Throwable failure) {
        log.warn("HTTP request failed", failure);
        return Reply.error(new ApiError(ApiError.INTERNAL, "the request failed: " + failure, null));
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

    /**
     * A connection that stopped in the middle of a request ({@code http.read-timeout}): answered 408
     * after what it asked before, then closed.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event != StalledReadTimeout.STALLED) {
            super.userEventTriggered(ctx, event);
            return;
        }
        if (closing) {
            return;
        }
        log.warn(
                "closing http connection {}: it stopped in the middle of a request (http.read-timeout)",
                ctx.channel().remoteAddress());
        stats.responded(HttpResponseStatus.REQUEST_TIMEOUT.code());
        replies.add(
                ctx,
                done(Reply.text(HttpResponseStatus.REQUEST_TIMEOUT, "request incomplete for http.read-timeout\n"))
                        .thenApply(reply -> reply.toResponse(false, false, false)));
        closing = true;
        ctx.flush();
        closeIfAnswered(ctx);
    }

    /**
     * A request the codec gives up on (e.g. more than 128 pipelined requests awaiting answers): answer
     * what was read, then close.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException || cause instanceof PrematureChannelClosureException) {
            // a network error, or the connection closed in the middle of a request (by the client, or
            // by a read timeout)
            log.debug("http connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
            return;
        }
        if (cause instanceof DecoderException) {
            log.debug("http connection {}: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn(
                    "closing http connection {} after an unexpected error",
                    ctx.channel().remoteAddress(),
                    cause);
        }
        closing = true;
        closeIfAnswered(ctx);
    }

    private void closeIfAnswered(ChannelHandlerContext ctx) {
        if (closing && replies.isEmpty() && ctx.channel().isActive()) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
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
