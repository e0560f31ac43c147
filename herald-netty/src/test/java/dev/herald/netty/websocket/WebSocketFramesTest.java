package dev.herald.netty.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.core.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;
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

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 125, 126, 1000, 65535, 65536, 100_000})
    void aFrameEncodedForOneWriteIsTheSharedFrame(int length) {
        byte[] payload = new byte[length];
        Arrays.fill(payload, (byte) 'y');
        Message message = Message.ofUtf8(payload);

        ByteBuf own = WebSocketFrames.text(io.netty.buffer.ByteBufAllocator.DEFAULT, message);

        assertThat(own.readableBytes()).isEqualTo(WebSocketFrames.textFrameSize(message));
        assertThat(ByteBufUtil.getBytes(own)).isEqualTo(ByteBufUtil.getBytes(message.encoded(WebSocketFrames.TEXT)));
        assertThat(WebSocketFrames.isEncodedPerWrite(WebSocketFrames.TEXT, message))
                .isEqualTo(own.readableBytes() < WebSocketFrames.DIRECT_THRESHOLD);
        assertThat(WebSocketFrames.isEncodedPerWrite(WebSocketFrames.deflatedText(6), message))
                .as("compressed frames are always shared")
                .isFalse();
        own.release();
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

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 125, 126, 65536, 300_000})
    void deflatedFrameCarriesRsv1AndInflatesOnItsOwn(int length) throws DataFormatException {
        byte[] payload = new byte[length];
        new Random(length).nextBytes(payload); // incompressible: the output outgrows a first guess
        for (int i = 0; i < length / 2; i++) {
            payload[i] = 'x'; // and a compressible half
        }
        Message message = Message.ofUtf8(payload);

        ByteBuf frame = message.encoded(WebSocketFrames.deflatedText(6));

        assertThat(message.encoded(WebSocketFrames.deflatedText(6))).isSameAs(frame);
        byte[] bytes = ByteBufUtil.getBytes(frame);
        assertThat(bytes[0] & 0xFF).as("FIN, RSV1, text").isEqualTo(0xC1);
        int length7 = bytes[1] & 0x7F;
        int header = length7 < 126 ? 2 : length7 == 126 ? 4 : 10;
        byte[] deflated = Arrays.copyOfRange(bytes, header, bytes.length);
        long declared = length7 < 126
                ? length7
                : length7 == 126 ? ((bytes[2] & 0xFF) << 8) | (bytes[3] & 0xFF) : frame.getLong(2);
        assertThat(declared).isEqualTo(deflated.length);

        // RFC 7692 §7.2.2: append 00 00 ff ff and inflate with a fresh context.
        Inflater inflater = new Inflater(true);
        inflater.setInput(concat(deflated, new byte[] {0, 0, (byte) 0xFF, (byte) 0xFF}));
        byte[] out = new byte[length + 16];
        int inflated = 0;
        while (!inflater.needsInput() && inflated < out.length) {
            inflated += inflater.inflate(out, inflated, out.length - inflated);
        }
        inflater.end();
        assertThat(Arrays.copyOf(out, inflated)).isEqualTo(payload);
    }

    @Test
    void eachLevelHasItsOwnEncodingAndOutOfRangeLevelsAreRefused() {
        assertThat(WebSocketFrames.deflatedText(1)).isNotSameAs(WebSocketFrames.deflatedText(9));
        assertThat(WebSocketFrames.deflatedText(9)).isSameAs(WebSocketFrames.deflatedText(9));
        assertThatThrownBy(() -> WebSocketFrames.deflatedText(10)).isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
