package dev.herald.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/** The bytes a WebSocket client writes (RFC 6455): the opening handshake and masked frames. */
final class ClientFrames {

    static final int TEXT = 0x1;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    /** Every connection sends the same key: the server only has to answer it, not keep it secret. */
    static final String KEY = "aGVyYWxkLWJlbmNoLWtleQ==";

    /** The {@code Sec-WebSocket-Accept} a server must answer to {@link #KEY}. */
    static final String ACCEPT = accept(KEY);

    private ClientFrames() {}

    /** The opening handshake for {@code path} on {@code host:port}. */
    static byte[] handshake(String host, int port, String path) {
        return handshake(host, port, path, null);
    }

    /** The opening handshake, offering {@code subprotocol} ({@code Sec-WebSocket-Protocol}) unless null. */
    static byte[] handshake(String host, int port, String path, String subprotocol) {
        return ("GET " + path + " HTTP/1.1\r\n"
                        + "Host: " + host + ":" + port + "\r\n"
                        + "Upgrade: websocket\r\n"
                        + "Connection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: " + KEY + "\r\n"
                        + (subprotocol == null ? "" : "Sec-WebSocket-Protocol: " + subprotocol + "\r\n")
                        + "Sec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    static String accept(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1")
                    .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every JDK", e);
        }
    }

    /** A single final frame with a random mask, holding {@code payload[from, from + length)}. */
    static ByteBuf frame(ByteBufAllocator alloc, int opcode, ByteBuf payload, int from, int length) {
        ByteBuf out = alloc.buffer(14 + length);
        out.writeByte(0x80 | opcode);
        if (length <= 125) {
            out.writeByte(0x80 | length);
        } else if (length <= 0xFFFF) {
            out.writeByte(0x80 | 126).writeShort(length);
        } else {
            out.writeByte(0x80 | 127).writeLong(length);
        }
        int mask = ThreadLocalRandom.current().nextInt();
        out.writeInt(mask);
        for (int i = 0; i < length; i++) {
            int maskByte = (mask >>> (24 - 8 * (i & 3))) & 0xFF;
            out.writeByte(payload.getByte(from + i) ^ maskByte);
        }
        return out;
    }

    /** A masked text frame holding {@code text}. */
    static ByteBuf text(ByteBufAllocator alloc, String text) {
        ByteBuf payload = alloc.buffer().writeBytes(text.getBytes(StandardCharsets.UTF_8));
        try {
            return frame(alloc, TEXT, payload, 0, payload.readableBytes());
        } finally {
            payload.release();
        }
    }
}
