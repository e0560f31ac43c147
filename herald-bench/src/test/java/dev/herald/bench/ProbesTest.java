package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** /proc and metrics parsing, source addresses and client frames: the pure parts under the tool. */
class ProbesTest {

    @Test
    void cpuIsUtimePlusStimeAfterACommandNameWithSpacesAndParentheses() {
        String stat = "4242 (java (my) app) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 30 0";
        assertThat(ProcessProbe.cpuNanos(stat)).isEqualTo(300 * 10_000_000L);
    }

    @Test
    void theMachineIsBusyForUserNiceSystemIrqSoftirqAndSteal() {
        String cpu = "cpu  74198 2 40580 222033 347 5 9103 10 0 0";
        assertThat(ProcessProbe.machineCpuNanos(cpu)).isEqualTo((74198 + 2 + 40580 + 5 + 9103 + 10) * 10_000_000L);
        assertThat(ProcessProbe.machineCpuNanos()).isPositive();
    }

    @Test
    void thisProcessHasCpuMemoryAndAnOpenFileLimit() {
        ProcessProbe self = ProcessProbe.self();
        assertThat(self.cpuNanos()).isPositive();
        assertThat(self.rssBytes()).isGreaterThan(1024 * 1024);
        assertThat(self.maxOpenFiles()).isPositive();
        assertThat(self.openFiles()).isPositive();
        assertThat(new ProcessProbe(Long.MAX_VALUE).rssBytes()).isEqualTo(-1);
    }

    @Test
    void heapIsTheSumOfTheHeapPools() {
        String exposition = "# HELP jvm_memory_used_bytes The amount of used memory\n"
                + "jvm_memory_used_bytes{area=\"heap\",id=\"PS Eden Space\"} 1000.0\n"
                + "jvm_memory_used_bytes{area=\"nonheap\",id=\"Metaspace\"} 5000.0\n"
                + "jvm_memory_used_bytes{area=\"heap\",id=\"PS Old Gen\"} 2.5E3\n";
        assertThat(HeapProbe.heapUsed(exposition)).isEqualTo(3500);
        assertThat(HeapProbe.heapUsed("other_metric 1\n")).isEqualTo(-1);
    }

    @Test
    void sourceAddressesFillOneAddressThenTakeTheNext() {
        SourceAddresses sources = new SourceAddresses("127.0.0.2", 2);
        assertThat(sources.next().getHostString()).isEqualTo("127.0.0.2");
        assertThat(sources.next().getHostString()).isEqualTo("127.0.0.2");
        assertThat(sources.next().getHostString()).isEqualTo("127.0.0.3");
        assertThat(sources.addressesFor(19_000)).isEqualTo(9500);
        assertThat(new SourceAddresses("127.0.0.254", 1).address(2).getHostAddress())
                .isEqualTo("127.0.1.0");
        assertThatThrownBy(() -> new SourceAddresses("10.0.0.1", 1)).hasMessageContaining("loopback");
    }

    @Test
    void acceptMatchesTheRfcExample() {
        assertThat(ClientFrames.accept("dGhlIHNhbXBsZSBub25jZQ==")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    @Test
    void clientFramesAreMasked() {
        ByteBuf frame = ClientFrames.text(ByteBufAllocator.DEFAULT, "hello");
        assertThat((int) frame.getUnsignedByte(0)).isEqualTo(0x81);
        assertThat((int) frame.getUnsignedByte(1)).isEqualTo(0x80 | 5);
        byte[] mask = new byte[4];
        frame.getBytes(2, mask);
        byte[] text = new byte[5];
        for (int i = 0; i < 5; i++) {
            text[i] = (byte) (frame.getByte(6 + i) ^ mask[i % 4]);
        }
        assertThat(new String(text, StandardCharsets.UTF_8)).isEqualTo("hello");
        frame.release();

        ByteBuf payload = Unpooled.buffer().writeZero(300);
        ByteBuf big = ClientFrames.frame(ByteBufAllocator.DEFAULT, ClientFrames.PONG, payload, 0, 300);
        assertThat((int) big.getUnsignedByte(1)).isEqualTo(0x80 | 126);
        assertThat(big.getUnsignedShort(2)).isEqualTo(300);
        assertThat(big.readableBytes()).isEqualTo(2 + 2 + 4 + 300);
        big.release();
    }

    @Test
    void durationsReadAndWriteWithUnits() {
        assertThat(DurationConverter.parse("500ms").toMillis()).isEqualTo(500);
        assertThat(DurationConverter.parse("250us").toNanos()).isEqualTo(250_000);
        assertThat(DurationConverter.format(DurationConverter.parse("250us"))).isEqualTo("250us");
        assertThat(DurationConverter.format(DurationConverter.parse("10s"))).isEqualTo("10s");
        assertThat(DurationConverter.format(DurationConverter.parse("2m"))).isEqualTo("2m");
        assertThatThrownBy(() -> DurationConverter.parse("10")).hasMessageContaining("unit");
    }
}
