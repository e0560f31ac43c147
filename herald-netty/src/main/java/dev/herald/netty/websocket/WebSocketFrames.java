package dev.herald.netty.websocket;

import dev.herald.core.Encoding;
import dev.herald.core.Message;
import dev.herald.protocol.client.ClientJson;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.zip.Deflater;

/**
 * Server-to-client text frames encoded once per message and shared by every connection that receives
 * it.
 *
 * <p>The frame (header and payload, unmasked, per RFC 6455 §5.2) is garbage-collected with the message:
 * nothing to release, no reference count that every event loop would contend on. Each connection
 * writes its own {@link ByteBuf#duplicate()}; a raw {@code ByteBuf} passes Netty's WebSocket encoder
 * untouched. A frame under {@link #DIRECT_THRESHOLD} bytes is a heap array (allocated in nanoseconds;
 * the transport copies it into a pooled direct buffer per write, cheap at that size); a larger one is
 * a direct buffer, which the transport writes without a copy, as a broadcast of a large message
 * needs. Frames are unreleasable and must not be written into.
 *
 * <p>Public only so that herald-microbench can measure the encoding.
 */
public final class WebSocketFrames {

    /** The shared frame of a message; write {@code message.encoded(TEXT).duplicate()}. */
    public static final Encoding<ByteBuf> TEXT = new Encoding<>("websocket-text-frame", WebSocketFrames::textFrame);

    /** An empty ping (RFC 6455 §5.5.2), shared by every connection; write {@code PING.duplicate()}. */
    static final ByteBuf PING = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(2).writeByte(0x89).writeByte(0).asReadOnly());

    /** A {@code herald.v1} ping, {@code {"t":"ping"}} in a text frame, shared; write {@code V1_PING.duplicate()}. */
    static final ByteBuf V1_PING = textFrame(ClientJson.ping());

    /** A small text frame of the server's own, shared and unreleasable; write {@code duplicate()}s of it. */
    private static ByteBuf textFrame(byte[] payload) {
        if (payload.length > 125) {
            throw new IllegalArgumentException("a constant frame of " + payload.length + " bytes");
        }
        return Unpooled.unreleasableBuffer(Unpooled.directBuffer(2 + payload.length)
                .writeByte(0x81)
                .writeByte(payload.length)
                .writeBytes(payload)
                .asReadOnly());
    }

    /** The longest payload of a control frame (RFC 6455 §5.5). */
    static final int MAX_CONTROL_PAYLOAD = 125;

    /**
     * A control frame from the server (unmasked): a close with a code and a reason, or a pong echoing a
     * ping. The payload is {@code payload[offset, offset + length)}, at most {@value #MAX_CONTROL_PAYLOAD}
     * bytes.
     */
    static ByteBuf control(ByteBufAllocator alloc, int opcode, byte[] payload, int offset, int length) {
        if (length > MAX_CONTROL_PAYLOAD) {
            throw new IllegalArgumentException("control frame payload of " + length + " bytes");
        }
        return alloc.buffer(2 + length)
                .writeByte(0x80 | opcode)
                .writeByte(length)
                .writeBytes(payload, offset, length);
    }

    /** A close frame with a code and a reason text, cut at a character boundary to fit in 123 bytes. */
    static ByteBuf close(ByteBufAllocator alloc, int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(text.length, MAX_CONTROL_PAYLOAD - 2);
        while (length < text.length && length > 0 && (text[length] & 0xC0) == 0x80) {
            length--; // not inside a multi-byte character
        }
        byte[] payload = new byte[2 + length];
        payload[0] = (byte) (code >> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, length);
        return control(alloc, 0x8, payload, 0, payload.length);
    }

    /** Frames of at least this many bytes are direct buffers; smaller ones heap arrays. */
    static final int DIRECT_THRESHOLD = 1024;

    /** Compressed frames by compression level ({@code -1} to {@code 9}, index {@code level + 1}). */
    private static final List<Encoding<ByteBuf>> DEFLATED = IntStream.rangeClosed(-1, 9)
            .mapToObj(level -> new Encoding<>(
                    "websocket-deflated-text-frame-" + level, message -> deflatedTextFrame(message, level)))
            .toList();

    /** One deflater per thread and level, reset between messages (never shares a context). */
    private static final ThreadLocal<Deflater[]> DEFLATERS = ThreadLocal.withInitial(() -> new Deflater[11]);

    private static final byte[] SYNC_FLUSH_TAIL = {0x00, 0x00, (byte) 0xFF, (byte) 0xFF};
    private static final byte FIN_TEXT = (byte) 0x81;
    private static final byte FIN_RSV1_TEXT = (byte) 0xC1;

    private WebSocketFrames() {}

    /**
     * The shared permessage-deflate frame of a message (RFC 7692 §7.2.1: RSV1 set, the payload
     * deflated on its own and without the trailing {@code 00 00 ff ff}) for connections that
     * negotiated {@code server_no_context_takeover} with a 15-bit window, which is every connection
     * Herald compresses for: the bytes are the same for all of them, so a broadcast is compressed
     * once instead of once per connection. Write {@code message.encoded(deflatedText(level)).duplicate()}.
     */
    public static Encoding<ByteBuf> deflatedText(int level) {
        if (level < -1 || level > 9) {
            throw new IllegalArgumentException("compression level " + level);
        }
        return DEFLATED.get(level + 1);
    }

    /**
     * Whether a message goes out in frames encoded for each write ({@link #text}) rather than one
     * shared frame: plain frames under {@link #DIRECT_THRESHOLD} bytes. The transport would copy a
     * shared heap frame into a buffer of its own for every write anyway; encoding straight into that
     * buffer saves the shared frame and its views.
     */
    static boolean isEncodedPerWrite(Encoding<ByteBuf> frames, Message message) {
        return frames == TEXT && textFrameSize(message) < DIRECT_THRESHOLD;
    }

    /** The size of a message's plain text frame: header and payload. */
    static int textFrameSize(Message message) {
        int length = message.size();
        return (length < 126 ? 2 : length < 65536 ? 4 : 10) + length;
    }

    /** A message's text frame in a new buffer of the transport's allocator, for one write. */
    static ByteBuf text(ByteBufAllocator alloc, Message message) {
        byte[] payload = message.payload();
        ByteBuf frame = alloc.ioBuffer(textFrameSize(message));
        frame.writeByte(FIN_TEXT);
        if (payload.length < 126) {
            frame.writeByte(payload.length);
        } else if (payload.length < 65536) {
            frame.writeByte(126).writeShort(payload.length);
        } else {
            frame.writeByte(127).writeLong(payload.length);
        }
        return frame.writeBytes(payload);
    }

    static ByteBuf textFrame(Message message) {
        return frame(FIN_TEXT, message.payload(), message.payload().length);
    }

    private static ByteBuf deflatedTextFrame(Message message, int level) {
        Deflater[] deflaters = DEFLATERS.get();
        Deflater deflater = deflaters[level + 1];
        if (deflater == null) {
            deflater = new Deflater(level, true);
            deflaters[level + 1] = deflater;
        }
        byte[] payload = message.payload();
        byte[] out = new byte[payload.length + payload.length / 1000 + 64];
        int length = 0;
        try {
            deflater.setInput(payload);
            while (true) {
                length += deflater.deflate(out, length, out.length - length, Deflater.SYNC_FLUSH);
                if (length < out.length) {
                    break; // SYNC_FLUSH wrote everything it had: the output did not fill the array
                }
                out = Arrays.copyOf(out, out.length * 2);
            }
        } finally {
            deflater.reset();
        }
        if (length >= SYNC_FLUSH_TAIL.length
                && Arrays.equals(
                        out, length - SYNC_FLUSH_TAIL.length, length, SYNC_FLUSH_TAIL, 0, SYNC_FLUSH_TAIL.length)) {
            length -= SYNC_FLUSH_TAIL.length;
        }
        return frame(FIN_RSV1_TEXT, out, length);
    }

    private static ByteBuf frame(byte first, byte[] payload, int length) {
        int header = length < 126 ? 2 : length < 65536 ? 4 : 10;
        int size = header + length;
        ByteBuf frame = size < DIRECT_THRESHOLD
                ? Unpooled.wrappedBuffer(new byte[size]).clear()
                : Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(size)).clear();
        frame.writeByte(first);
        if (length < 126) {
            frame.writeByte(length);
        } else if (length < 65536) {
            frame.writeByte(126).writeShort(length);
        } else {
            frame.writeByte(127).writeLong(length);
        }
        frame.writeBytes(payload, 0, length);
        // Not read-only: a read-only view makes the transport's copy into its direct buffer go through
        // NIO views, three objects per write. Nothing writes into a frame once it is encoded.
        return Unpooled.unreleasableBuffer(frame);
    }
}
