package dev.herald.netty.websocket;

import dev.herald.core.Encoding;
import dev.herald.core.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;

/**
 * Server-to-client text frames encoded once per message and shared by every connection that receives
 * it.
 *
 * <p>The frame (header and payload, unmasked, per RFC 6455 §5.2) is garbage-collected with the message:
 * nothing to release, no reference count that every event loop would contend on. Each connection
 * writes its own {@link ByteBuf#duplicate()}; a raw {@code ByteBuf} passes Netty's WebSocket encoder
 * untouched. A frame under {@link #DIRECT_THRESHOLD} bytes is a heap array (allocated in nanoseconds;
 * the transport copies it into a pooled direct buffer per write, cheap at that size); a larger one is
 * a read-only direct buffer, which the transport writes without a copy, as a broadcast of a large
 * message needs.
 *
 * <p>Public only so that herald-microbench can measure the encoding.
 */
public final class WebSocketFrames {

    /** The shared frame of a message; write {@code message.encoded(TEXT).duplicate()}. */
    public static final Encoding<ByteBuf> TEXT = new Encoding<>("websocket-text-frame", WebSocketFrames::textFrame);

    /** Frames of at least this many bytes are direct buffers; smaller ones heap arrays. */
    static final int DIRECT_THRESHOLD = 1024;

    private static final byte FIN_TEXT = (byte) 0x81;

    private WebSocketFrames() {}

    static ByteBuf textFrame(Message message) {
        byte[] payload = message.payload();
        int length = payload.length;
        int header = length < 126 ? 2 : length < 65536 ? 4 : 10;
        int size = header + length;
        ByteBuffer frame = size < DIRECT_THRESHOLD ? ByteBuffer.allocate(size) : ByteBuffer.allocateDirect(size);
        frame.put(FIN_TEXT);
        if (length < 126) {
            frame.put((byte) length);
        } else if (length < 65536) {
            frame.put((byte) 126).putShort((short) length);
        } else {
            frame.put((byte) 127).putLong(length);
        }
        frame.put(payload).flip();
        ByteBuf shared = frame.isDirect()
                ? Unpooled.wrappedBuffer(frame.asReadOnlyBuffer())
                : Unpooled.wrappedBuffer(frame.array()).asReadOnly();
        return Unpooled.unreleasableBuffer(shared);
    }
}
