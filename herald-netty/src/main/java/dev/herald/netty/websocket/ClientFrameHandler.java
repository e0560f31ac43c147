package dev.herald.netty.websocket;

import dev.herald.core.CloseReason;
import dev.herald.core.GroupLimitException;
import dev.herald.core.Message;
import dev.herald.core.Resumption;
import dev.herald.core.auth.Authenticator;
import dev.herald.core.auth.Identity;
import dev.herald.core.engine.Engine;
import dev.herald.core.history.Subscriber;
import dev.herald.netty.backend.CommandExecutor;
import dev.herald.protocol.Names;
import dev.herald.protocol.Utf8;
import dev.herald.protocol.backend.ApiError;
import dev.herald.protocol.backend.CommandReplies;
import dev.herald.protocol.client.GroupRequest;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: the first handler of its pipeline, and after the opening handshake the only
 * one. Until {@link WebSocketUpgradeHandler} upgrades the connection it passes the bytes on to the HTTP
 * codec behind it; from then on it reads RFC 6455 frames straight from the socket's bytes (masked,
 * fragmented or not, control frames between fragments, permessage-deflate when negotiated) and runs the
 * seed's protocol on them: the first message is the uid; later ones are counted and ignored, except,
 * with {@code websocket.client-groups}, the text messages {@code join <group>} and {@code leave <group>}
 * ({@link GroupRequest}); or, when the client negotiated the subprotocol {@code herald.v1}, that
 * protocol ({@link PositionedProtocol}). Pings are answered, close frames echoed.
 *
 * <p>One handler instead of Netty's frame decoder, UTF-8 validator, protocol handler and aggregator:
 * each handler costs every connection its context and its state for as long as the connection lives,
 * and an idle connection here holds no buffer at all. Per-connection state: one instance per channel,
 * confined to its event loop.
 */
final class ClientFrameHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ClientFrameHandler.class);

    private static final int CONTINUATION = 0x0;
    private static final int TEXT = 0x1;
    private static final int BINARY = 0x2;
    private static final int CLOSE = 0x8;
    private static final int PING = 0x9;
    private static final int PONG = 0xA;
    private static final int RSV1 = 0x4;
    /** What RFC 7692 §7.2.2 removes from the end of every compressed message. */
    private static final byte[] DEFLATE_TAIL = {0x00, 0x00, (byte) 0xFF, (byte) 0xFF};

    private final ClientServices services;
    /** The configuration in force when the connection opened (limits, compression level). */
    private final WebSocketConfig config;

    private ChannelHandlerContext ctx;
    private SessionSweeper sweeper;
    private WebSocketSession session;
    private String uid;
    /** The {@code herald.v1} protocol, when the client negotiated it; {@code null}: the seed's. */
    private PositionedProtocol positioned;

    /** Whether the handshake is done: bytes are frames from now on. */
    private boolean upgraded;
    /** Whether permessage-deflate was negotiated. */
    private boolean deflate;
    /** With {@code client_no_context_takeover}, each message is inflated on its own. */
    private boolean inflatePerMessage;
    /** After a close frame or a violation: further input is dropped. */
    private boolean discarding;
    /** A seed client's token is being verified: its later messages are ignored, as after a bind. */
    private boolean verifying;
    /** Whether admission control counted this connection (against its address: released at close). */
    private boolean admitted;
    /** The address admission control counted it under, or {@code null}. */
    private InetAddress address;
    /** Start of the current second of {@code max-messages-per-second} ({@link SessionSweeper#now()}). */
    private long rateWindowStart;
    /** Frames received in that second. */
    private int rateCount;
    /**
     * After a violation: when input last came ({@link System#nanoTime()}), 0 if not lingering. The
     * connection stays open, reading and discarding, until the peer has been quiet for {@link
     * #LINGER_QUIET_NANOS} (or closes, or the sweeper's close timeout passes).
     */
    private long lingerReadAt;

    static final long LINGER_QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** Bytes of a frame that has not arrived whole; {@code null} between frames. */
    private ByteBuf cumulation;
    /** The opcode of the fragmented message being received, or {@code CONTINUATION} when none is. */
    private int messageOpcode;

    private boolean messageCompressed;
    /** The fragments of that message so far. */
    private ByteBuf fragments;

    private Inflater inflater;

    ClientFrameHandler(ClientServices services, WebSocketConfig config) {
        this.services = services;
        this.config = config;
    }

    WebSocketConfig config() {
        return config;
    }

    /** Admission control took the handshake: from now on the connection counts until it closes. */
    void admitted(InetAddress address) {
        this.admitted = true;
        this.address = address;
        session.inFlight = 1;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        sweeper = services.sweepers().of(ctx.channel().eventLoop());
        session = new WebSocketSession(ctx.channel(), services.stats(), sweeper.now(), sweeper.outbox());
        sweeper.add(session);
        super.channelActive(ctx);
    }

    /** The channel closed. This handler is the first of the pipeline, so nothing before it can stop the event. */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closed();
        super.channelInactive(ctx);
    }

    /**
     * The handshake's answer is on its way: from now on every byte is a frame. Called by {@link
     * WebSocketUpgradeHandler} on the event loop before it writes the {@code 101} response.
     *
     * @param compressed whether permessage-deflate was negotiated; {@code contextPerMessage}: with
     *     {@code client_no_context_takeover}; {@code heraldV1}: the client speaks {@code herald.v1}
     */
    void upgrading(boolean compressed, boolean contextPerMessage, boolean heraldV1) {
        upgraded = true;
        if (heraldV1) {
            positioned = new PositionedProtocol(services, config, session);
        }
        deflate = compressed;
        inflatePerMessage = contextPerMessage;
    }

    /** The {@code 101} response was written: the connection is a WebSocket, ready for pushes. */
    void upgraded() {
        session.handshaken(
                ctx, deflate ? WebSocketFrames.deflatedText(config.compressionLevel()) : WebSocketFrames.TEXT);
        services.hub().register(session);
        log.debug(
                "open session={} remote={} compression={}",
                session.id(),
                ctx.channel().remoteAddress(),
                deflate);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!upgraded) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf in = (ByteBuf) msg;
        if (discarding) {
            if (lingerReadAt != 0) {
                lingerReadAt = System.nanoTime();
            }
            in.release();
            return;
        }
        ByteBuf buffer =
                cumulation == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation, in);
        cumulation = null;
        try {
            decode(buffer);
        } finally {
            if (buffer.isReadable() && !discarding && buffer.refCnt() > 0) {
                cumulation = buffer; // part of a frame: the rest comes with the next read
            } else {
                buffer.release();
            }
        }
    }

    /** Handles every whole frame in the buffer; leaves a partial one unread. */
    private void decode(ByteBuf in) {
        while (!discarding) {
            int start = in.readerIndex();
            int readable = in.readableBytes();
            if (readable < 2) {
                return;
            }
            int first = in.getUnsignedByte(start);
            int second = in.getUnsignedByte(start + 1);
            boolean fin = (first & 0x80) != 0;
            int rsv = (first >> 4) & 0x7;
            int opcode = first & 0x0F;
            int length1 = second & 0x7F;
            String violation = headerViolation(fin, rsv, opcode, (second & 0x80) != 0, length1);
            if (violation != null) {
                fail(CloseReason.PROTOCOL_ERROR, violation);
                return;
            }
            int lengthBytes = length1 == 126 ? 2 : length1 == 127 ? 8 : 0;
            int headerLength = 2 + lengthBytes + 4;
            if (readable < headerLength) {
                return;
            }
            long length = length1;
            if (length1 == 126) {
                length = in.getUnsignedShort(start + 2);
                if (length < 126) {
                    fail(CloseReason.PROTOCOL_ERROR, "invalid data frame length (not using minimal length encoding)");
                    return;
                }
            } else if (length1 == 127) {
                length = in.getLong(start + 2);
                if (length < 0) {
                    fail(CloseReason.PROTOCOL_ERROR, "invalid data frame length (negative length)");
                    return;
                }
                if (length < 65536) {
                    fail(CloseReason.PROTOCOL_ERROR, "invalid data frame length (not using minimal length encoding)");
                    return;
                }
            }
            int buffered = fragments == null ? 0 : fragments.readableBytes();
            if (opcode < CLOSE && length + buffered > config.maxMessageBytes()) {
                fail(CloseReason.MESSAGE_TOO_BIG, tooBig());
                return;
            }
            if (readable < headerLength + length) {
                return; // bounded by max-message-bytes: wait for the rest
            }
            int payload = start + headerLength;
            unmask(in, payload, (int) length, in.getInt(payload - 4));
            in.readerIndex(payload + (int) length);
            session.touch(sweeper.now());
            if (flooding()) {
                return;
            }
            frame(fin, rsv, opcode, in, payload, (int) length);
        }
    }

    /**
     * Counts a frame against {@code max-messages-per-second} (a window per second of the sweeper's
     * clock) and closes the connection with 4506 when the client sent more.
     */
    private boolean flooding() {
        int max = config.limits().maxMessagesPerSecond();
        if (max == 0) {
            return false;
        }
        long now = sweeper.now();
        if (now - rateWindowStart >= 1000) {
            rateWindowStart = now;
            rateCount = 0;
        }
        if (++rateCount <= max) {
            return false;
        }
        log.info(
                "closing flooding client session={} uid={} remote={}: more than {} messages per second",
                session.id(),
                uid,
                session.remoteAddress(),
                max);
        fail(CloseReason.FLOOD, "more than " + max + " messages per second");
        return true;
    }

    /** What is wrong with a frame's first two bytes, or {@code null}. */
    private String headerViolation(boolean fin, int rsv, int opcode, boolean masked, int length1) {
        if (rsv != 0) {
            boolean compressedStart = deflate && rsv == RSV1 && (opcode == TEXT || opcode == BINARY);
            if (!compressedStart) {
                return deflate
                        ? "RSV bits " + rsv + " set without an extension defining them"
                        : "RSV != 0 and no extension negotiated, RSV:" + rsv;
            }
        }
        if (!masked) {
            return "received a frame that is not masked as expected";
        }
        if (opcode > 7) {
            if (!fin) {
                return "fragmented control frame";
            }
            if (length1 > WebSocketFrames.MAX_CONTROL_PAYLOAD) {
                return "control frame with payload length > 125 octets";
            }
            if (opcode != CLOSE && opcode != PING && opcode != PONG) {
                return "control frame using reserved opcode " + opcode;
            }
            if (opcode == CLOSE && length1 == 1) {
                return "received close control frame with payload len 1";
            }
            return null;
        }
        if (opcode != CONTINUATION && opcode != TEXT && opcode != BINARY) {
            return "data frame using reserved opcode " + opcode;
        }
        if (messageOpcode == CONTINUATION && opcode == CONTINUATION) {
            return "received continuation data frame outside fragmented message";
        }
        if (messageOpcode != CONTINUATION && opcode != CONTINUATION) {
            return "received non-continuation data frame while inside fragmented message";
        }
        return null;
    }

    private static void unmask(ByteBuf in, int index, int length, int mask) {
        if (mask == 0) {
            return;
        }
        long mask8 = (mask & 0xFFFFFFFFL) | ((mask & 0xFFFFFFFFL) << 32);
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            in.setLong(index + i, in.getLong(index + i) ^ mask8);
        }
        for (; i < length; i++) {
            in.setByte(index + i, in.getByte(index + i) ^ (mask >> (24 - 8 * (i & 3))));
        }
    }

    private void frame(boolean fin, int rsv, int opcode, ByteBuf in, int payload, int length) {
        switch (opcode) {
            case PING ->
                session.writeControl(WebSocketFrames.control(ctx.alloc(), PONG, bytes(in, payload, length), 0, length));
            case PONG -> {} // alive: touched above
            case CLOSE -> closeReceived(in, payload, length);
            default -> data(fin, rsv, opcode, in, payload, length);
        }
    }

    private void data(boolean fin, int rsv, int opcode, ByteBuf in, int payload, int length) {
        if (opcode != CONTINUATION && fin) {
            message(opcode, rsv == RSV1, in, payload, length); // the common case: a message in one frame
            return;
        }
        if (opcode != CONTINUATION) {
            messageOpcode = opcode;
            messageCompressed = rsv == RSV1;
            fragments = ctx.alloc().buffer(Math.max(length, 64));
        }
        fragments.writeBytes(in, payload, length);
        if (fin) {
            ByteBuf whole = fragments;
            fragments = null;
            int wholeOpcode = messageOpcode;
            messageOpcode = CONTINUATION;
            try {
                message(wholeOpcode, messageCompressed, whole, whole.readerIndex(), whole.readableBytes());
            } finally {
                whole.release();
            }
        }
    }

    /** A whole data message (reassembled, still compressed if {@code compressed}). */
    private void message(int opcode, boolean compressed, ByteBuf in, int index, int length) {
        byte[] content;
        if (compressed) {
            content = inflate(in, index, length);
            if (content == null) {
                return; // refused: fail() closed the connection
            }
        } else {
            content = bytes(in, index, length);
        }
        if (opcode == TEXT && !Utf8.isValid(content, 0, content.length)) {
            fail(CloseReason.INVALID_UTF8, "bytes are not UTF-8");
            return;
        }
        WebSocketStats stats = services.stats();
        stats.framesReceived.increment();
        if (positioned != null) {
            if (session.isClosing()) {
                stats.framesIgnored.increment();
            } else if (opcode == TEXT) {
                positioned.message(content);
                uid = positioned.uid();
            } else {
                positioned.binary();
            }
            return;
        }
        if (session.bound && !session.isClosing() && config.clientGroups() && opcode == TEXT) {
            GroupRequest request = GroupRequest.parse(new String(content, StandardCharsets.UTF_8));
            if (request != null) {
                groupRequest(request);
                return;
            }
        }
        if (session.bound || session.isClosing() || verifying) {
            stats.framesIgnored.increment();
            log.trace("ignored frame session={} bytes={}", session.id(), content.length);
            return;
        }
        bind(content);
    }

    /** Inflates a compressed message; {@code null} if it is refused (and the connection closing). */
    private byte[] inflate(ByteBuf in, int index, int length) {
        if (inflater == null) {
            inflater = new Inflater(true);
        }
        byte[] input = new byte[length + DEFLATE_TAIL.length];
        in.getBytes(index, input, 0, length);
        System.arraycopy(DEFLATE_TAIL, 0, input, length, DEFLATE_TAIL.length);
        int max = config.maxMessageBytes();
        byte[] out = new byte[Math.min(max + 1, Math.max(256, length * 4))];
        int size = 0;
        try {
            inflater.setInput(input);
            while (!inflater.needsInput() && !inflater.finished()) {
                if (size == out.length) {
                    if (size > max) {
                        fail(CloseReason.MESSAGE_TOO_BIG, tooBig());
                        return null;
                    }
                    out = Arrays.copyOf(out, Math.min(max + 1, out.length * 2));
                }
                int inflated = inflater.inflate(out, size, out.length - size);
                if (inflated == 0 && inflater.needsDictionary()) {
                    throw new DataFormatException("a preset dictionary is not allowed");
                }
                size += inflated;
            }
            if (size > max) {
                fail(CloseReason.MESSAGE_TOO_BIG, tooBig());
                return null;
            }
        } catch (DataFormatException e) {
            log.debug("invalid compressed data session={}: {}", session.id(), e.getMessage());
            fail(CloseReason.PROTOCOL_ERROR, "invalid compressed data");
            return null;
        } finally {
            if (inflater != null && (inflatePerMessage || inflater.finished() || discarding)) {
                inflater.end(); // no context to keep: an idle connection holds no inflater
                inflater = null;
            }
        }
        return size == out.length ? out : Arrays.copyOf(out, size);
    }

    /**
     * A seed client's first message: a bare uid, or a connect token once token keys are configured (a
     * seed page changes only the string it sends).
     */
    private void bind(byte[] bytes) {
        if (!Utf8.isValid(bytes, 0, bytes.length)) {
            session.close(CloseReason.INVALID_UTF8, "uid is not valid UTF-8");
            return;
        }
        String first = new String(bytes, StandardCharsets.UTF_8);
        Authenticator auth = services.auth().get();
        if (auth.enabled() && Authenticator.isToken(first)) {
            verifying = true;
            TokenBinding.verify(services, config, session, first, identity -> {
                verifying = false;
                bindAs(identity.uid(), identity);
            });
            return;
        }
        if (!auth.allowsBareUid()) {
            TokenBinding.refuseBareUid(services, session);
            return;
        }
        String violation = Names.uidViolation(first, config.maxUidBytes());
        if (violation != null) {
            log.debug("refused uid session={} reason={}", session.id(), violation);
            session.close(CloseReason.INVALID_UID, violation);
            return;
        }
        bindAs(first, null);
    }

    /** Binds the connection (the token's identity, or {@code null} for a bare uid). */
    private void bindAs(String uid, Identity identity) {
        Engine engine = services.pusher().engine();
        if (engine.inboxConfig().seedClients()) {
            // What waits for the uid first, as raw frames; then live pushes, through the same subscriber.
            Subscriber subscriber = new Subscriber(uid, new SeedInbox(session, engine));
            session.subscribe(subscriber);
            session.uid = uid;
            session.bound = true;
            this.uid = uid;
            Resumption.resume(services.hub(), engine, session, subscriber, Map.of(), identity)
                    .whenComplete((bound, failure) -> {
                        session.landed(services.admission());
                        if (failure != null) {
                            log.warn("inbox read failed session={} uid={}", session.id(), uid, failure);
                            session.close(CloseReason.INTERNAL_ERROR);
                        }
                    });
            return;
        }
        session.uid = uid;
        if (services.hub().bind(session, uid, identity)) {
            session.bound = true;
            this.uid = uid;
            session.landed(services.admission());
        }
    }

    /**
     * Joins or leaves a group for this connection's uid. Nothing is sent back on success; a refused
     * group name, or an engine failure, is answered with one text message holding the JSON error, as
     * a backend command's.
     */
    private void groupRequest(GroupRequest request) {
        ApiError refusal = request.refusal(services.maxGroupBytes().getAsInt());
        if (refusal != null) {
            log.debug("refused group request session={} uid={}: {}", session.id(), uid, refusal.message());
            session.sendMessage(Message.ofUtf8(CommandReplies.error(refusal)));
            return;
        }
        List<String> uids = List.of(uid);
        CompletionStage<Integer> done = request.join()
                ? services.pusher().join(request.group(), uids)
                : services.pusher().leave(request.group(), uids);
        done.whenComplete((changed, failure) -> {
            GroupLimitException limit = CommandExecutor.groupLimit(failure);
            if (limit != null) {
                log.info(
                        "refused join session={} uid={} group={}: {}",
                        session.id(),
                        uid,
                        request.group(),
                        limit.getMessage());
                session.sendMessage(Message.ofUtf8(CommandReplies.error(CommandExecutor.groupLimitError(limit))));
            } else if (failure != null) {
                log.warn(
                        "group request failed session={} uid={} group={}", session.id(), uid, request.group(), failure);
                session.sendMessage(Message.ofUtf8(CommandReplies.error(
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
     * The peer's close frame. If the server has not sent one, it echoes the peer's (RFC 6455 §5.5.1)
     * and closes once it is written; if the server has, this is the answer, and only the TCP
     * connection is left to close. Either way the connection sends exactly one close frame.
     */
    private void closeReceived(ByteBuf in, int payload, int length) {
        if (length >= 2) {
            int code = in.getUnsignedShort(payload);
            if (!validCloseCode(code)) {
                fail(CloseReason.PROTOCOL_ERROR, "Invalid close frame getStatus code: " + code);
                return;
            }
            byte[] reason = bytes(in, payload + 2, length - 2);
            if (!Utf8.isValid(reason, 0, reason.length)) {
                fail(CloseReason.INVALID_UTF8, "close reason is not UTF-8");
                return;
            }
        }
        discarding = true;
        if (session.isClosing()) {
            ctx.close();
            return;
        }
        session.markClosing();
        log.debug("client closed session={} code={}", session.id(), length >= 2 ? in.getUnsignedShort(payload) : 1005);
        ctx.writeAndFlush(WebSocketFrames.control(ctx.alloc(), CLOSE, bytes(in, payload, length), 0, length))
                .addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * Whether a peer may send this close code (RFC 6455 §7.4): 1000-1003 and 1007-1011 of the RFC,
     * 1012-1014 registered with IANA since, and 3000-4999 for libraries and applications. 1004-1006 and
     * 1015 are reserved (never sent), and every other number is undefined.
     */
    static boolean validCloseCode(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }

    /**
     * A violation found while reading frames: the close frame goes out and the TCP connection is closed
     * right after it, without waiting for the client's answer; nothing more is read.
     */
    private void fail(CloseReason reason, String text) {
        log.debug("protocol violation session={} code={} {}", session.id(), reason.code(), text);
        discarding = true;
        releaseFragments();
        session.closeAfterViolation(reason, closeText(text, reason));
        lingerReadAt = System.nanoTime();
        ctx.executor().schedule(this::closeWhenQuiet, LINGER_QUIET_NANOS, TimeUnit.NANOSECONDS);
    }

    /** Closes a connection that broke the protocol once it has stopped sending. */
    private void closeWhenQuiet() {
        long quiet = System.nanoTime() - lingerReadAt;
        if (!ctx.channel().isActive()) {
            return;
        }
        if (quiet >= LINGER_QUIET_NANOS) {
            ctx.close();
        } else {
            ctx.executor().schedule(this::closeWhenQuiet, LINGER_QUIET_NANOS - quiet, TimeUnit.NANOSECONDS);
        }
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
            services.stats().paused.increment();
        } else if (positioned != null) {
            positioned.writable(); // what waited for the congestion to pass goes out
        }
        ctx.channel().config().setAutoRead(writable);
        super.channelWritabilityChanged(ctx);
    }

    /** The channel closed: runs once, on its event loop. */
    private void closed() {
        session.markClosing();
        session.cancelExpiry();
        session.landed(services.admission());
        if (admitted) {
            services.admission().closed(address);
        }
        sweeper.remove(session);
        if (session.handshaken) {
            services.hub().unregister(session);
        }
        discarding = true;
        releaseFragments();
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
        if (inflater != null) {
            inflater.end();
            inflater = null;
        }
        log.debug("closed session={}", session.id());
    }

    private void releaseFragments() {
        if (fragments != null) {
            fragments.release();
            fragments = null;
        }
        messageOpcode = CONTINUATION;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("i/o error session={}: {}", session.id(), cause.toString());
            ctx.close();
        } else {
            log.warn("unexpected error session={} uid={}", session.id(), uid, cause);
            session.close(CloseReason.INTERNAL_ERROR);
        }
    }

    /** The reason text of 1009, whether one frame or the reassembled message is too big. */
    private String tooBig() {
        return "message larger than " + config.maxMessageBytes() + " bytes";
    }

    private static byte[] bytes(ByteBuf in, int index, int length) {
        byte[] bytes = new byte[length];
        in.getBytes(index, bytes);
        return bytes;
    }

    /** A description of a violation as the close reason, if it fits in a close frame. */
    private static String closeText(String message, CloseReason reason) {
        if (message == null || message.getBytes(StandardCharsets.UTF_8).length > 123) {
            return reason.reason();
        }
        return message;
    }
}
