package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PayloadTest {

    @ParameterizedTest(name = "{0} bytes")
    @CsvSource({"100", "64", "1000", "4096"})
    void aSeedLineIsAsLongAsAsked(int size) {
        String line = Payload.seedLine("bench-12345", 42, 123_456_789L, size);
        assertThat(line.getBytes(StandardCharsets.UTF_8)).hasSize(size);
        assertThat(line).startsWith("{\"uid\":\"bench-12345\",\"seq\":42,\"ts\":123456789,\"pad\":\"");
    }

    @ParameterizedTest(name = "{0} bytes, seq {1}, ts {2}")
    @CsvSource({"100, 0, 0", "100, 9, 10", "64, 918273, 5000000001", "4096, 42, 123456789", "10, 1, 2"})
    void linesWrittenIntoABufferAreTheLinesAsStrings(int size, long seq, long ts) {
        ByteBuf buf = Unpooled.buffer(16);
        Payload.writeSeedLine(buf, Payload.seedHead("bench-12345"), seq, ts, size);
        assertThat(buf.toString(StandardCharsets.UTF_8))
                .isEqualTo(Payload.seedLine("bench-12345", seq, ts, size) + "\n");
        buf.clear();
        Payload.writeBroadcastCommand(buf, seq, ts, size);
        assertThat(buf.toString(StandardCharsets.UTF_8)).isEqualTo(Payload.broadcastCommand(seq, ts, size) + "\n");
    }

    @Test
    void aSizeBelowTheFieldsGivesAnEmptyPad() {
        assertThat(Payload.seedLine("u", 1, 2, 10)).isEqualTo("{\"uid\":\"u\",\"seq\":1,\"ts\":2,\"pad\":\"\"}");
    }

    @Test
    void heraldBroadcastDeliversAnObjectOfTheAskedSize() {
        String data = Payload.dataObject(7, 99, 100);
        assertThat(data).hasSize(100).startsWith("{\"seq\":7,\"ts\":99,");
        assertThat(Payload.broadcastCommand(7, 99, 100)).isEqualTo("broadcast {\"data\":" + data + "}");
    }

    @Test
    void seqAndTsAreReadBackFromTheBytes() {
        ByteBuf buf = Unpooled.copiedBuffer(
                "xx" + Payload.seedLine("a", 918_273, 5_000_000_001L, 100), StandardCharsets.UTF_8);
        assertThat(Payload.seq(buf, 2, buf.writerIndex())).isEqualTo(918_273);
        assertThat(Payload.ts(buf, 2, buf.writerIndex())).isEqualTo(5_000_000_001L);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {"not JSON|-1", "{\"seq\":\"7\"}|-1", "{\"seq\": 7}|7", "{\"other\":1}|-1", "{\"seq\":|-1"})
    void otherMessagesHaveNoSeq(String message, long expected) {
        ByteBuf buf = Unpooled.copiedBuffer(message, StandardCharsets.UTF_8);
        assertThat(Payload.seq(buf, 0, buf.writerIndex())).isEqualTo(expected);
    }

    @Test
    void theClockIsPositiveAndMonotonic() {
        long a = Payload.now();
        long b = Payload.now();
        assertThat(a).isNotNegative();
        assertThat(b).isGreaterThanOrEqualTo(a);
    }
}
