package dev.herald.netty.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebSocketFramesTest {

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 125, 126, 127, 65535, 65536, 100_000})
    void sharedFrameIsWhatNettysEncoderWrites(int length) {
        byte[] payload = new byte[length];
        Arrays.fill(payload, (byte) 'x');
        Message message = Message.ofUtf8(payload);

        ByteBuf shared = message.encoded(WebSocketFrames.TEXT);

        EmbeddedChannel netty = new EmbeddedChannel(new WebSocket13FrameEncoder(false));
        netty.writeOutbound(new TextWebSocketFrame(io.netty.buffer.Unpooled.wrappedBuffer(payload)));
        ByteBuf expected = io.netty.buffer.Unpooled.buffer();
        for (ByteBuf part = netty.readOutbound(); part != null; part = netty.readOutbound()) {
            expected.writeBytes(part);
            part.release();
        }
        assertThat(ByteBufUtil.getBytes(shared)).isEqualTo(ByteBufUtil.getBytes(expected));
        assertThat(shared.isDirect())
                .as("direct from %d bytes", WebSocketFrames.DIRECT_THRESHOLD)
                .isEqualTo(shared.readableBytes() >= WebSocketFrames.DIRECT_THRESHOLD);
    }

    @ParameterizedTest(name = "{0} duplicates")
    @ValueSource(ints = {1, 3})
    void duplicatesShareTheBytesAndSurviveRelease(int copies) {
        Message message = Message.ofText("hello");
        ByteBuf shared = message.encoded(WebSocketFrames.TEXT);
        for (int i = 0; i < copies; i++) {
            ByteBuf copy = shared.duplicate();
            copy.skipBytes(copy.readableBytes());
            copy.release(); // as the channel does after writing it
        }
        assertThat(message.encoded(WebSocketFrames.TEXT)).isSameAs(shared);
        assertThat(shared.readableBytes()).isEqualTo(7);
        assertThat(shared.isDirect()).as("a small frame is a heap array").isFalse();
    }
}
