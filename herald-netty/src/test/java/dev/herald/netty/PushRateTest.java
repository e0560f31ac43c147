package dev.herald.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PushRateTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final PushRate rate = new PushRate(now::get);

    private void advanceMillis(long millis) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    @Test
    void allowsABurstOfOneSecondThenRefillsAtTheRate() {
        for (int i = 0; i < 10; i++) {
            assertThat(rate.take(1, 10)).as("push %d", i).isZero();
        }
        assertThat(rate.take(1, 10)).isEqualTo(1);
        advanceMillis(100);
        assertThat(rate.take(1, 10)).isZero();
        assertThat(rate.take(1, 10)).isEqualTo(1);
        advanceMillis(10_000);
        for (int i = 0; i < 10; i++) {
            assertThat(rate.take(1, 10))
                    .as("refilled to the burst, not beyond: push %d", i)
                    .isZero();
        }
        assertThat(rate.take(1, 10)).isEqualTo(1);
    }

    @Test
    void aBatchOfNCountsN() {
        assertThat(rate.take(8, 10)).isZero();
        assertThat(rate.take(3, 10)).as("2 left").isEqualTo(1);
        assertThat(rate.take(2, 10)).isZero();
    }

    @Test
    void aBatchLargerThanTheRatePassesFromAFullBucketAndOwesTheRest() {
        assertThat(rate.take(25, 10)).isZero();
        assertThat(rate.take(1, 10)).isEqualTo(2);
        advanceMillis(1_400);
        assertThat(rate.take(1, 10)).as("owed 15, refilled 14").isEqualTo(1);
        advanceMillis(1_000);
        assertThat(rate.take(1, 10)).isZero();
    }

    @Test
    void zeroMeansNoLimit() {
        for (int i = 0; i < 10_000; i++) {
            assertThat(rate.take(100, 0)).isZero();
        }
    }
}
