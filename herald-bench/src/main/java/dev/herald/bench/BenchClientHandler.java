package dev.herald.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One client connection's protocol: writes the opening handshake, checks the 101 answer (and the
 * subprotocol, if {@link Clients} offers one), binds by writing {@link Clients#bindText} (the uid, or a
 * herald.v1 hello) as the first text frame, then parses server frames in place (no copies for
 * unfragmented messages) and hands each message to {@link Clients}; answers pings with pongs and
 * close frames with a close frame. Per connection, not sharable.
 */
final class BenchClientHandler extends ByteToMessageDecoder {

    static final int MAX_HANDSHAKE_BYTES = 16 * 1024;
    private static final int CRLFCRLF = 0x0D0A0D0A;
    static final long HANDSHAKE_TIMEOUT_SECONDS = 10;

    private final Clients clients;
    private final Client client;
    private final ByteBuf handshake;
    private final int maxMessageBytes;
    private boolean open;
    private ByteBuf fragments;
    private long readNanos;
    private ScheduledFuture<?> handshakeTimeout;

    BenchClientHandler(Clients clients, Client client, ByteBuf handshake, int maxMessageBytes) {
        this.clients = clients;
        this.client = client;
        this.handshake = handshake;
        this.maxMessageBytes = maxMessageBytes;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        handshakeTimeout = ctx.executor()
                .schedule(
                        () -> clients.failed(
                                client,
                                new Client.OpenFailure(
                                        "timeout", "no handshake answer in " + HANDSHAKE_TIMEOUT_SECONDS + " s", null)),
                        HANDSHAKE_TIMEOUT_SECONDS,
                        TimeUnit.SECONDS);
        ctx.writeAndFlush(handshake.retainedDuplicate()).addListener(f -> {
            if (!f.isSuccess()) {
                clients.failed(client, Client.OpenFailure.of(f.cause()));
            }
        });
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        readNanos = Payload.now();
        super.channelRead(ctx, msg);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!open && !handshake(ctx, in)) {
            return;
        }
        while (in.readableBytes() >= 2) {
            int start = in.readerIndex();
            int b0 = in.getUnsignedByte(start);
            int b1 = in.getUnsignedByte(start + 1);
            long length = b1 & 0x7F;
            int header = 2;
            if (length == 126) {
                if (in.readableBytes() < 4) {
                    return;
                }
                length = in.getUnsignedShort(start + 2);
                header = 4;
            } else if (length == 127) {
                if (in.readableBytes() < 10) {
                    return;
                }
                length = in.getLong(start + 2);
                header = 10;
            }
            boolean masked = (b1 & 0x80) != 0;
            if (masked) {
                header += 4;
            }
            if (length < 0 || length > maxMessageBytes) {
                protocolError(ctx, "frame of " + length + " bytes");
                return;
            }
            if (in.readableBytes() < header + length) {
                return;
            }
            int from = start + header;
            int to = from + (int) length;
            if (masked) {
                unmask(in, from, to, in.getInt(from - 4));
            }
            in.readerIndex(to);
            frame(ctx, b0, in, from, to);
            if (!ctx.channel().isActive()) {
                return;
            }
        }
    }

    /** The seconds of a {@code Retry-After} header in a lower-cased answer, or -1. */
    static int retryAfter(String lowerCaseAnswer) {
        for (String line : lowerCaseAnswer.split("\r\n")) {
            if (line.startsWith("retry-after:")) {
                try {
                    return Integer.parseInt(
                            line.substring("retry-after:".length()).trim());
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    private boolean handshake(ChannelHandlerContext ctx, ByteBuf in) {
        int end = endOfHeaders(in);
        if (end < 0) {
            if (in.readableBytes() > MAX_HANDSHAKE_BYTES) {
                clients.failed(client, new Client.OpenFailure("handshake", "answer too long", null));
            }
            return false;
        }
        String answer = in.toString(in.readerIndex(), end - in.readerIndex(), StandardCharsets.ISO_8859_1);
        in.readerIndex(end + 4);
        String statusLine = answer.lines().findFirst().orElse("");
        String lower = answer.toLowerCase(Locale.ROOT);
        if (!statusLine.startsWith("HTTP/1.1 101")) {
            clients.failed(client, Client.OpenFailure.refused(statusLine, retryAfter(lower)));
            return false;
        }
        if (!lower.contains("sec-websocket-accept: " + ClientFrames.ACCEPT.toLowerCase(Locale.ROOT))) {
            clients.failed(client, new Client.OpenFailure("handshake", "wrong or missing Sec-WebSocket-Accept", null));
            return false;
        }
        String subprotocol = clients.subprotocol();
        if (subprotocol != null && !lower.contains("sec-websocket-protocol: " + subprotocol.toLowerCase(Locale.ROOT))) {
            clients.failed(
                    client, new Client.OpenFailure("handshake", "subprotocol " + subprotocol + " not answered", null));
            return false;
        }
        open = true;
        handshakeTimeout.cancel(false);
        ctx.writeAndFlush(ClientFrames.text(ctx.alloc(), clients.bindText(client)))
                .addListener(f -> {
                    if (f.isSuccess()) {
                        clients.opened(client);
                    } else {
                        clients.failed(client, Client.OpenFailure.of(f.cause()));
                    }
                });
        return true;
    }

    /** Index of the blank line ending the HTTP headers, or -1. */
    private static int endOfHeaders(ByteBuf in) {
        for (int i = in.readerIndex(), last = in.writerIndex() - 4; i <= last; i++) {
            if (in.getInt(i) == CRLFCRLF) {
                return i;
            }
        }
        return -1;
    }

    private void frame(ChannelHandlerContext ctx, int b0, ByteBuf in, int from, int to) {
        boolean fin = (b0 & 0x80) != 0;
        int opcode = b0 & 0x0F;
        switch (opcode) {
            case 0x1, 0x2 -> {
                if (fin && fragments == null) {
                    clients.message(client, in, from, to, readNanos);
                } else {
                    if (fragments != null) {
                        fragments.release();
                    }
                    fragments = ctx.alloc().buffer().writeBytes(in, from, to - from);
                }
            }
            case 0x0 -> {
                if (fragments == null) {
                    protocolError(ctx, "continuation without a start");
                    return;
                }
                if (fragments.readableBytes() + (to - from) > maxMessageBytes) {
                    protocolError(ctx, "message over " + maxMessageBytes + " bytes");
                    return;
                }
                fragments.writeBytes(in, from, to - from);
                if (fin) {
                    clients.message(client, fragments, fragments.readerIndex(), fragments.writerIndex(), readNanos);
                    fragments.release();
                    fragments = null;
                }
            }
            case ClientFrames.CLOSE -> {
                int code = to - from >= 2 ? in.getUnsignedShort(from) : 1005;
                clients.serverClosed(client, code);
                ctx.writeAndFlush(ClientFrames.frame(ctx.alloc(), ClientFrames.CLOSE, in, from, Math.min(2, to - from)))
                        .addListener(f -> ctx.close());
            }
            case ClientFrames.PING ->
                ctx.writeAndFlush(ClientFrames.frame(ctx.alloc(), ClientFrames.PONG, in, from, to - from));
            default -> {
                // pongs and unknown opcodes: nothing to do
            }
        }
    }

    private static void unmask(ByteBuf in, int from, int to, int mask) {
        for (int i = from; i < to; i++) {
            int maskByte = (mask >>> (24 - 8 * ((i - from) & 3))) & 0xFF;
            in.setByte(i, in.getByte(i) ^ maskByte);
        }
    }

    private void protocolError(ChannelHandlerContext ctx, String what) {
        clients.protocolError(client, what);
        ctx.close();
    }

    @Override
    public void handlerRemoved0(ChannelHandlerContext ctx) {
        if (fragments != null) {
            fragments.release();
            fragments = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (handshakeTimeout != null) {
            handshakeTimeout.cancel(false);
        }
        clients.inactive(client);
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        clients.failed(client, Client.OpenFailure.of(cause));
        ctx.close();
    }
}
