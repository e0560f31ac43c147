package dev.herald.netty.websocket;

import dev.herald.core.CloseReason;
import dev.herald.core.Hub;
import dev.herald.core.Message;
import dev.herald.core.Pusher;
import dev.herald.protocol.Names;
import dev.herald.protocol.Utf8;
import dev.herald.protocol.backend.ApiError;
import dev.herald.protocol.backend.CommandReplies;
import dev.herald.protocol.client.GroupRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionEncoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.zip.DataFormatException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's client protocol on one connection: the first data frame is the uid; later frames are
 * counted and ignored, except, with {@code websocket.client-groups}, the text messages {@code join
 * <group>} and {@code leave <group>} ({@link GroupRequest}), which the {@link Pusher} runs for the
 * connection's uid. Registers the connection with the {@link Hub} on handshake and removes it on
 * close. Per-connection state: one instance per channel.
 */
final class ClientFrameHandler extends SimpleChannelInboundHandler<WebSocketFrame> {

    private static final Logger log = LoggerFactory.getLogger(ClientFrameHandler.class);

    private final Hub hub;
    private final Pusher pusher;
    private final WebSocketConfig config;
    private final int maxGroupBytes;
    private final SessionSweepers sweepers;
    private final WebSocketStats stats;
    private SessionSweeper sweeper;
    private WebSocketSession session;
    private String uid;

    ClientFrameHandler(
            Hub hub,
            Pusher pusher,
            WebSocketConfig config,
            int maxGroupBytes,
            SessionSweepers sweepers,
            WebSocketStats stats) {
        this.hub = hub;
        this.pusher = pusher;
        this.config = config;
        this.maxGroupBytes = maxGroupBytes;
        this.sweepers = sweepers;
        this.stats = stats;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        sweeper = sweepers.of(ctx.channel().eventLoop());
        session = new WebSocketSession(ctx.channel(), stats, sweeper.now(), sweeper.outbox());
        sweeper.add(session);
        // On the close future rather than in channelInactive: a handler before this one that throws
        // from its own channelInactive (permessage-deflate's inflater after corrupt data does) stops
        // the event there, which would leave the session in the hub and the sweeper for good.
        ctx.channel().closeFuture().addListener(future -> closed());
        super.channelActive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof HandshakeComplete) {
            boolean extensions = ctx.pipeline().get(WebSocketExtensionEncoder.class) != null;
            // The only extension Herald negotiates is permessage-deflate without server context
            // takeover and with a 15-bit window: its frames are the same for every such connection.
            session.handshaken(
                    extensions ? WebSocketFrames.deflatedText(config.compressionLevel()) : WebSocketFrames.TEXT);
            hub.register(session);
            log.debug(
                    "open session={} remote={} compression={}",
                    session.id(),
                    ctx.channel().remoteAddress(),
                    extensions);
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        session.touch(sweeper.now());
        if (frame instanceof CloseWebSocketFrame close) {
            closeReceived(ctx, close);
            return;
        }
        if (!(frame instanceof TextWebSocketFrame) && !(frame instanceof BinaryWebSocketFrame)) {
            return; // a pong
        }
        stats.framesReceived.increment();
        if (session.bound
                && !session.isClosing()
                && config.clientGroups()
                && frame instanceof TextWebSocketFrame text) {
            GroupRequest request = GroupRequest.parse(text.text());
            if (request != null) {
                groupRequest(request);
                return;
            }
        }
        if (session.bound || session.isClosing()) {
            stats.framesIgnored.increment();
            log.trace(
                    "ignored frame session={} bytes={}",
                    session.id(),
                    frame.content().readableBytes());
            return;
        }
        bind(frame.content());
    }

    /**
     * The peer's close frame. If the server has not sent one, it echoes the peer's (RFC 6455 §5.5.1)
     * and closes once it is written; if the server has, this is the answer, and only the TCP
     * connection is left to close. Either way the connection sends exactly one close frame.
     */
    private void closeReceived(ChannelHandlerContext ctx, CloseWebSocketFrame close) {
        if (session.isClosing()) {
            ctx.close();
            return;
        }
        session.markClosing();
        log.debug("client closed session={} code={}", session.id(), close.statusCode());
        ctx.writeAndFlush(new CloseWebSocketFrame(true, 0, close.content().retain()))
                .addListener(ChannelFutureListener.CLOSE);
    }

    private void bind(ByteBuf content) {
        byte[] bytes = ByteBufUtil.getBytes(content);
        if (!Utf8.isValid(bytes, 0, bytes.length)) {
            session.close(CloseReason.INVALID_UTF8, "uid is not valid UTF-8");
            return;
        }
        String uid = new String(bytes, StandardCharsets.UTF_8);
        String violation = Names.uidViolation(uid, config.maxUidBytes());
        if (violation != null) {
            log.debug("refused uid session={} reason={}", session.id(), violation);
            session.close(CloseReason.INVALID_UID, violation);
            return;
        }
        if (hub.bind(session, uid)) {
            session.bound = true;
            this.uid = uid;
        }
    }

    /**
     * Joins or leaves a group for this connection's uid. Nothing is sent back on success; a refused
     * group name, or an engine failure, is answered with one text message holding the JSON error, as
     * a backend command's.
     */
    private void groupRequest(GroupRequest request) {
        ApiError refusal = request.refusal(maxGroupBytes);
        if (refusal != null) {
            log.debug("refused group request session={} uid={}: {}", session.id(), uid, refusal.message());
            session.send(Message.ofUtf8(CommandReplies.error(refusal)));
            return;
        }
        List<String> uids = List.of(uid);
        CompletionStage<Integer> done =
                request.join() ? pusher.join(request.group(), uids) : pusher.leave(request.group(), uids);
        done.whenComplete((changed, failure) -> {
            if (failure != null) {
                log.warn(
                        "group request failed session={} uid={} group={}", session.id(), uid, request.group(), failure);
                session.send(Message.ofUtf8(CommandReplies.error(
                        new ApiError(ApiError.INTERNAL, (request.join() ? "join" : "leave") + " failed", null))));
            } else {
                log.trace(
                        "{} session={} uid={} group={}",
                        request.join() ? "join" : "leave",
                        session.id(),
                        uid,
                        request.group());
            }
        });
    }

    /**
     * Back-pressure: while more than {@code max-outbound-bytes} wait to be sent, the client is not read,
     * so a client that floods pings without reading the pongs cannot grow the queue. A push that finds
     * the queue full closes the connection ({@link WebSocketSession#send}).
     */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        boolean writable = ctx.channel().isWritable();
        if (!writable) {
            stats.paused.increment();
        }
        ctx.channel().config().setAutoRead(writable);
        super.channelWritabilityChanged(ctx);
    }

    /** The channel closed: runs once, on its event loop. */
    private void closed() {
        session.markClosing();
        sweeper.remove(session);
        if (session.handshaken) {
            hub.unregister(session);
        }
        log.debug("closed session={}", session.id());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException corrupted) {
            // The frame decoder, the UTF-8 validator or ReservedBitsValidator refused a frame;
            // WebSocketServerProtocolHandler closes the connection once this close frame is written.
            int code = corrupted.closeStatus().code();
            log.debug("protocol violation session={} code={} {}", session.id(), code, cause.getMessage());
            CloseReason reason = code == CloseReason.INVALID_UTF8.code()
                    ? CloseReason.INVALID_UTF8
                    : code == CloseReason.MESSAGE_TOO_BIG.code()
                            ? CloseReason.MESSAGE_TOO_BIG
                            : CloseReason.PROTOCOL_ERROR;
            session.close(
                    reason, reason == CloseReason.MESSAGE_TOO_BIG ? tooBig() : closeText(cause.getMessage(), reason));
        } else if (cause instanceof DecompressionException && cause.getCause() instanceof DataFormatException) {
            // The inflater refused the data itself; other DecompressionExceptions mean too much output.
            log.debug(
                    "invalid compressed data session={}: {}",
                    session.id(),
                    cause.getCause().getMessage());
            session.close(CloseReason.PROTOCOL_ERROR, "invalid compressed data");
        } else if (cause instanceof TooLongFrameException || cause instanceof DecompressionException) {
            log.debug("message too big session={}: {}", session.id(), cause.getMessage());
            session.close(CloseReason.MESSAGE_TOO_BIG, tooBig());
        } else if (cause instanceof CorruptedFrameException) {
            log.debug("protocol violation session={}: {}", session.id(), cause.getMessage());
            session.close(CloseReason.PROTOCOL_ERROR);
        } else if (cause instanceof PrematureChannelClosureException) {
            // The aggregator's complaint when the peer goes away in the middle of a fragmented message.
            log.debug("closed inside a message session={}", session.id());
        } else if (cause instanceof IOException) {
            log.debug("i/o error session={}: {}", session.id(), cause.toString());
            ctx.close();
        } else {
            log.warn("unexpected error session={} uid={}", session.id(), hub.uidOf(session.id()), cause);
            session.close(CloseReason.INTERNAL_ERROR);
        }
    }

    /** The reason text of 1009, whether one frame or the reassembled message is too big. */
    private String tooBig() {
        return "message larger than " + config.maxMessageBytes() + " bytes";
    }

    /** Netty's description of a violation as the close reason, if it fits in a close frame. */
    private static String closeText(String message, CloseReason reason) {
        if (message == null || message.getBytes(StandardCharsets.UTF_8).length > 123) {
            return reason.reason();
        }
        return message;
    }
}
