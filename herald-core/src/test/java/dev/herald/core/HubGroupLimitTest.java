package dev.herald.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code api.max-groups-per-uid}: a join that would pass it changes nothing. */
class HubGroupLimitTest {

    private final AtomicInteger max = new AtomicInteger(2);
    private final Hub hub = new Hub(() -> 0, max::get);

    @Test
    void aJoinPastTheLimitIsRefusedWhole() {
        hub.join("g1", List.of("a", "b"));
        hub.join("g2", List.of("a"));

        assertThatThrownBy(() -> hub.join("g3", List.of("b", "a")))
                .isInstanceOf(GroupLimitException.class)
                .hasMessageContaining("uid a is in 2 groups already");
        assertThat(hub.isMember("g3", "b")).as("none of the uids joined").isFalse();
        assertThat(hub.groupCountOf("b")).isEqualTo(1);
        assertThat(hub.groupCount()).as("the refused group was not made").isEqualTo(2);
    }

    @Test
    void joiningAGroupAgainOrLeavingFreesNothingTwice() {
        hub.join("g1", List.of("a"));
        hub.join("g1", List.of("a", "a"));
        hub.join("g2", List.of("a"));
        assertThat(hub.groupCountOf("a")).isEqualTo(2);

        assertThat(hub.leave("g1", List.of("a"))).isEqualTo(1);
        assertThat(hub.leave("g1", List.of("a"))).isZero();
        assertThat(hub.groupCountOf("a")).isEqualTo(1);
        hub.join("g3", List.of("a"));
        assertThat(hub.isMember("g3", "a")).isTrue();
    }

    @Test
    void theLimitIsReadAtEachJoin() {
        hub.join("g1", List.of("a"));
        hub.join("g2", List.of("a"));
        max.set(0);
        hub.join("g3", List.of("a"));
        assertThat(hub.groupCountOf("a")).isEqualTo(3);
        max.set(3);
        assertThatThrownBy(() -> hub.join("g4", List.of("a"))).isInstanceOf(GroupLimitException.class);
    }
}
