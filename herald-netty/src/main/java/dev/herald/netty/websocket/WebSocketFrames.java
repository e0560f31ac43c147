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
 * <p>The frame (header and payload, unmasked, per RFC 6455 §5.2) lives in a read-only direct buffer
 * that the JDK frees when the message is garbage: nothing to release, no reference count that every
 * event loop would contend on. Each connection writes its own {@link ByteBuf#duplicate()} (no copy);
 * a raw {@code ByteBuf} passes Netty's WebSocket encoder untouched.
 *
 * <p>Public only so that herald-microbench can measure the encoding.
 */
public final class WebSocketFrames {

    /** The shared frame of a message; write {@code message.encoded(TEXT).duplicate()}. */
    public static final Encoding<ByteBuf> TEXT = new Encoding<>("websocket-text-frame", WebSocketFrames::textFrame);

    private static final byte FIN_TEXT = (byte) 0x81;

    private WebSocketFrames() {}

    static ByteBuf textFrame(Message message) {
        byte[] payload = message.payload();
        int length = payload.length;
        int header = length < 126 ? 2 : length < 65536 ? 4 : 10;
        ByteBuffer frame = ByteBuffer.allocateDirect(header + length);
        frame.put(FIN_TEXT);
        if (length < 126) {
            frame.put((byte) length);
        } else if (length < 65536) {
            frame.put((byte) 126).putShort((short) length);
        } else {
            frame.put((byte) 127).putLong(length);
        }
        frame.put(payload).flip();
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(frame.asReadOnlyBuffer()));
    }
}
