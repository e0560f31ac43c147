package dev.herald.netty.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The handshake bucket of admission control, on a clock of its own. */
class AdmissionTest {

    private static final long SECOND = 1_000_000_000L;

    private final Admission admission = new Admission(() -> null, () -> 0, new WebSocketStats());

    @Test
    void aFullBucketAdmitsOneSecondsWorthThenHandsOutSlotsAtTheRate() {
        for (int i = 0; i < 100; i++) {
            assertThat(admission.take(100, 0)).isZero();
        }
        List<Double> waits = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            waits.add(admission.take(100, 0));
        }
        assertThat(waits.get(0)).isEqualTo(0.01);
        assertThat(waits.get(299))
                .as("300 refused at 100/s: the last comes back after 3 s")
                .isEqualTo(3.0);
        assertThat(waits).isSorted();
    }

    @Test
    void refusalsDoNotSlowTheAdmissionsThatFollow() {
        for (int i = 0; i < 100; i++) {
            admission.take(100, 0);
        }
        for (int i = 0; i < 1000; i++) {
            admission.take(100, 0);
        }
        int admitted = 0;
        for (int i = 0; i < 100; i++) {
            if (admission.take(100, SECOND) == 0) {
                admitted++;
            }
        }
        assertThat(admitted)
                .as("a second later the bucket holds a second's worth again")
                .isEqualTo(100);
    }

    @Test
    void slotsAreAtMostAMinuteAhead() {
        for (int i = 0; i < 100_000; i++) {
            admission.take(100, 0);
        }
        assertThat(admission.take(100, 0)).isEqualTo(60.0);
        for (int i = 0; i < 100; i++) {
            assertThat(admission.take(100, 30 * SECOND)).as("refilled by then").isZero();
        }
        assertThat(admission.take(100, 30 * SECOND))
                .as("the slots handed out stay where they were as time passes")
                .isCloseTo(30.01, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void retryAfterIsDrawnBetweenTheBaseAndTwiceIt() {
        for (int i = 0; i < 1000; i++) {
            assertThat(Admission.jittered(5)).isBetween(5, 10);
            assertThat(Admission.jittered(0)).isBetween(1, 2);
            assertThat(Admission.jittered(100)).isEqualTo(60);
        }
    }
}
