package dev.herald.netty.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class WebSocketStatsTest {

    private static long sampled(WebSocketStats stats, int writes) {
        return IntStream.range(0, writes).filter(i -> stats.sampleWrite()).count();
    }

    @Test
    void samplesEveryWriteNoneOrOneInN() {
        assertThat(sampled(new WebSocketStats(nanos -> {}, 1), 1000)).isEqualTo(1000);
        assertThat(sampled(new WebSocketStats(nanos -> {}, 0), 1000)).isZero();
        assertThat(sampled(new WebSocketStats(), 1000)).isZero();
        // One in 8 of 80,000 writes: 10,000 expected, sd ~94; the bounds are over 10 sd away.
        assertThat(sampled(new WebSocketStats(nanos -> {}, 8), 80_000)).isBetween(9_000L, 11_000L);
        assertThatThrownBy(() -> new WebSocketStats(nanos -> {}, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void reportsTheTimeSinceTheMessageWasCreated() {
        List<Long> latencies = new ArrayList<>();
        WebSocketStats stats = new WebSocketStats(latencies::add, 1);
        long createdAt = System.nanoTime() - 5_000_000;

        stats.written(createdAt);

        assertThat(latencies)
                .singleElement()
                .satisfies(nanos -> assertThat(nanos).isGreaterThanOrEqualTo(5_000_000));
    }
}
