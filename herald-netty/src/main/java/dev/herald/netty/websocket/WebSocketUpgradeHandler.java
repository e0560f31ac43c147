package dev.herald.netty.websocket;

import dev.herald.protocol.client.ClientJson;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionUtil;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a valid opening handshake (checked by {@link HandshakeRequestValidator} before it) with
 * {@code 101 Switching Protocols} (RFC 6455 §4.2.2), negotiating permessage-deflate when {@code
 * websocket.compression} is on ({@link NoContextDeflateHandshaker}), then strips the pipeline down to
 * the connection's {@link ClientFrameHandler}: the HTTP codec, the aggregator, the validator and this
 * handler are done for good. Any path is accepted. Stateless.
 */
@Sharable
final class WebSocketUpgradeHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    static final WebSocketUpgradeHandler INSTANCE = new WebSocketUpgradeHandler();

    private static final Logger log = LoggerFactory.getLogger(WebSocketUpgradeHandler.class);
    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final String PERMESSAGE_DEFLATE = "permessage-deflate";
    private static final String CLIENT_NO_CONTEXT_TAKEOVER = "client_no_context_takeover";

    /** The handlers in front of the frames that the upgrade removes, in pipeline order. */
    static final String[] HANDSHAKE_HANDLERS = {"http", "http-aggregator", "handshake-validator", "upgrade"};

    private WebSocketUpgradeHandler() {}

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        ClientFrameHandler client = ctx.pipeline().get(ClientFrameHandler.class);
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS, Unpooled.EMPTY_BUFFER);
        response.headers()
                .set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE)
                .set(
                        HttpHeaderNames.SEC_WEBSOCKET_ACCEPT,
                        accept(request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_KEY)));
        WebSocketExtensionData deflate = null;
        WebSocketConfig config = client.config();
        if (config.compression()) {
            deflate = negotiateDeflate(request, config);
            if (deflate != null) {
                response.headers().set(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS, headerValue(deflate));
            }
        }
        boolean heraldV1 = offersHeraldV1(request);
        if (heraldV1) {
            response.headers().set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, ClientJson.SUBPROTOCOL);
        }
        // From here on the client's bytes are frames, even those that arrive before the 101 is written.
        client.upgrading(
                deflate != null,
                deflate != null && deflate.parameters().containsKey(CLIENT_NO_CONTEXT_TAKEOVER),
                heraldV1);
        ctx.writeAndFlush(response).addListener(written -> {
            if (!written.isSuccess()) {
                log.debug(
                        "handshake answer not written to {}: {}",
                        ctx.channel().remoteAddress(),
                        written.cause().toString());
                ctx.channel().close();
                return;
            }
            ChannelPipeline pipeline = ctx.pipeline();
            for (String name : HANDSHAKE_HANDLERS) {
                if (pipeline.context(name) != null) {
                    pipeline.remove(name);
                }
            }
            client.upgraded();
        });
    }

    /** The first permessage-deflate offer that can be accepted, as the answer's parameters; or {@code null}. */
    private static WebSocketExtensionData negotiateDeflate(FullHttpRequest request, WebSocketConfig config) {
        String offers = String.join(",", request.headers().getAll(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS));
        if (offers.isEmpty()) {
            return null;
        }
        NoContextDeflateHandshaker handshaker =
                new NoContextDeflateHandshaker(config.compressionLevel(), config.maxMessageBytes());
        for (WebSocketExtensionData offer : WebSocketExtensionUtil.extractExtensions(offers)) {
            if (!PERMESSAGE_DEFLATE.equals(offer.name())) {
                continue;
            }
            WebSocketServerExtension accepted = handshaker.handshakeExtension(offer);
            if (accepted != null) {
                return accepted.newReponseData();
            }
        }
        return null;
    }

    /**
     * Whether the client offers the subprotocol {@code herald.v1} ({@code Sec-WebSocket-Protocol}, a
     * comma-separated list, in one header or several). Other subprotocols are not answered: a client
     * that offers only those gets the seed's protocol and no {@code Sec-WebSocket-Protocol} header.
     */
    static boolean offersHeraldV1(FullHttpRequest request) {
        if (!request.headers().contains(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL)) {
            return false; // the seed's clients: no list to build
        }
        for (String offers : request.headers().getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL)) {
            for (String offer : offers.split(",")) {
                if (offer.strip().equals(ClientJson.SUBPROTOCOL)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** An extension and its parameters as a {@code Sec-WebSocket-Extensions} value. */
    static String headerValue(WebSocketExtensionData extension) {
        StringBuilder value = new StringBuilder(extension.name());
        for (Map.Entry<String, String> parameter : extension.parameters().entrySet()) {
            value.append("; ").append(parameter.getKey());
            if (parameter.getValue() != null) {
                value.append('=').append(parameter.getValue());
            }
        }
        return value.toString();
    }

    /** {@code Sec-WebSocket-Accept}: base64 of the SHA-1 of the key and the RFC's GUID. */
    static String accept(String key) {
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-1").digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }

    /** A handshake-phase error (an HTTP codec or aggregator's) reaches here: the connection is dropped. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("handshake failed from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.channel().close();
    }
}
