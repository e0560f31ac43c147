package dev.herald.microbench;

import dev.herald.core.Message;
import dev.herald.netty.websocket.WebSocketFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Server-to-client text frames: Herald's shared encoding ({@link WebSocketFrames#TEXT}, one frame per
 * message, a {@code duplicate()} per connection) against Netty's {@link WebSocket13FrameEncoder}
 * encoding a {@link TextWebSocketFrame} for each connection, the path Herald takes when an extension
 * such as permessage-deflate is in use.
 *
 * <p>The writes go through the server's encoder in an {@link EmbeddedChannel}, which stands for the
 * connection's pipeline; the bytes that come out are counted and released, as the socket would.
 *
 * <ul>
 *   <li>{@code heraldEncode}: the once-per-message cost, the frame of a new message;
 *   <li>{@code heraldWriteShared}: the per-connection cost of a broadcast, the cached frame written;
 *   <li>{@code heraldWriteNew}: a push to one connection, a new message encoded and written;
 *   <li>{@code nettyWrite}: Netty's encoder, the same cost per connection and per message.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FrameEncodingBenchmark {

    @Param({"100", "1024", "16384"})
    int size;

    private byte[] payload;
    private Message shared;
    private EmbeddedChannel channel;

    @Setup
    public void setUp() {
        payload = Payloads.json(size);
        shared = Message.ofUtf8(payload);
        shared.encoded(WebSocketFrames.TEXT);
        channel = new EmbeddedChannel(new WebSocket13FrameEncoder(false));
        int herald = heraldWriteShared();
        int netty = nettyWrite();
        int header = size < 126 ? 2 : size < 65536 ? 4 : 10;
        if (herald != header + size || netty != herald) {
            throw new IllegalStateException("frame sizes: herald " + herald + ", netty " + netty);
        }
    }

    @TearDown
    public void tearDown() {
        channel.finishAndReleaseAll();
    }

    @Benchmark
    public ByteBuf heraldEncode() {
        return Message.ofUtf8(payload).encoded(WebSocketFrames.TEXT);
    }

    @Benchmark
    public int heraldWriteShared() {
        channel.writeOutbound(shared.encoded(WebSocketFrames.TEXT).duplicate());
        return drain();
    }

    @Benchmark
    public int heraldWriteNew() {
        channel.writeOutbound(
                Message.ofUtf8(payload).encoded(WebSocketFrames.TEXT).duplicate());
        return drain();
    }

    @Benchmark
    public int nettyWrite() {
        channel.writeOutbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(payload)));
        return drain();
    }

    /** Reads what the encoder wrote, as the socket would, and returns its size. */
    private int drain() {
        int bytes = 0;
        Object out;
        while ((out = channel.readOutbound()) != null) {
            bytes += ((ByteBuf) out).readableBytes();
            ReferenceCountUtil.release(out);
        }
        return bytes;
    }
}
