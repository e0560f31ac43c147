package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PacerTest {

    private static final long START = 1_000_000_000L;
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    static Stream<Arguments> windows() {
        return Stream.of(
                Arguments.of(Named.of("1/s for 10 s", 1.0), 10_000L, 10L),
                Arguments.of(Named.of("5/s for 3 s", 5.0), 3_000L, 15L),
                Arguments.of(Named.of("20,000/s for 5 s", 20_000.0), 5_000L, 100_000L),
                Arguments.of(Named.of("0.5/s for 3 s", 0.5), 3_000L, 2L),
                Arguments.of(Named.of("3/s for 1.1 s", 3.0), 1_100L, 4L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("windows")
    void aWindowHoldsCeilOfDurationTimesRate(double rate, long millis, long expected) {
        Pacer pacer = new Pacer(rate, START, Long.MAX_VALUE);
        // what drive() asks for at the last moment of the window
        assertThat(pacer.scheduled(START + millis * MS - 1)).isEqualTo(expected);
    }

    @Test
    void theFirstItemIsDueAtTheStartAndNothingBefore() {
        Pacer pacer = new Pacer(1000, START, 100);
        assertThat(pacer.due(START - 1)).isZero();
        assertThat(pacer.due(START)).isEqualTo(1);
    }

    @Test
    void ticksSendWhatIsDueSinceTheLastBatch() {
        Pacer pacer = new Pacer(10_000, START, 1000);
        long total = 0;
        for (long t = START; t < START + 1000 * MS; t += MS) {
            long n = pacer.due(t);
            assertThat(n).isBetween(0L, 11L);
            pacer.sent(n);
            total += n;
        }
        assertThat(total).isEqualTo(pacer.sent()).isEqualTo(10_000 - 10 + 1);
        assertThat(pacer.skipped()).isZero();
    }

    @Test
    void whatTheSenderDidNotTakeStaysDue() {
        Pacer pacer = new Pacer(1000, START, 1000);
        assertThat(pacer.due(START + 10 * MS)).isEqualTo(11);
        pacer.sent(4);
        assertThat(pacer.due(START + 10 * MS)).isEqualTo(7);
    }

    @Test
    void aStallLongerThanABurstIsSkippedNotBurst() {
        Pacer pacer = new Pacer(1000, START, Pacer.burstOf(1000, 0.05));
        assertThat(pacer.due(START + 1000 * MS)).isEqualTo(50);
        assertThat(pacer.skipped()).isEqualTo(1001 - 50);
        pacer.sent(50);
        assertThat(pacer.due(START + 1000 * MS)).isZero();
        assertThat(pacer.achieved(TimeUnit.SECONDS.toNanos(1))).isEqualTo(50.0);
    }

    @Test
    void burstIsAtLeastOneItem() {
        assertThat(Pacer.burstOf(1, 0.05)).isEqualTo(1);
        assertThat(Pacer.burstOf(100_000, 0.05)).isEqualTo(5000);
    }

    @Test
    void driveCallsTheBatchWithEverythingDueInTheWindowAndNothingAhead() {
        long start = System.nanoTime();
        Pacer pacer = new Pacer(2000, start, Long.MAX_VALUE);
        long[] sent = new long[1];
        long end = pacer.drive(TimeUnit.MILLISECONDS.toNanos(50), Pacer.DEFAULT_TICK_NANOS, n -> {
            sent[0] += n;
            // How many batches a window takes depends on how the thread is scheduled; that none sends
            // ahead of the schedule does not.
            assertThat(sent[0]).isLessThanOrEqualTo(pacer.scheduled(System.nanoTime()));
            return n;
        });
        assertThat(end).isGreaterThanOrEqualTo(start + TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(pacer.sent()).isEqualTo(sent[0]).isEqualTo(100);
    }

    @Test
    void theNextItemIsDueAfterTheLastSentOrSkipped() {
        Pacer pacer = new Pacer(2000, START, 1000);
        assertThat(pacer.nextDueNanos()).isEqualTo(START);
        pacer.sent(pacer.due(START + MS)); // items 0, 1 and 2 (at 0, 0.5 and 1 ms)
        assertThat(pacer.nextDueNanos()).isEqualTo(START + 3 * MS / 2);
    }

    @Test
    void refusesAZeroRate() {
        assertThatThrownBy(() -> new Pacer(0, START, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
