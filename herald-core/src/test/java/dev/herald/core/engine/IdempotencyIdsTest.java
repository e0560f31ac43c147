package dev.herald.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.PushResult;
import dev.herald.core.testkit.MutableClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Push ids: claimed once per target within the window, forgotten after it, past the limit or on a failure. */
class IdempotencyIdsTest {

    private final MutableClock clock = new MutableClock();
    private final IdempotencyIds ids = new IdempotencyIds(Duration.ofMinutes(5), 2, clock);

    @Test
    void anIdIsClaimedOncePerTargetWithinTheWindow() {
        CompletableFuture<PushResult> first = new CompletableFuture<>();
        assertThat(ids.claim("u:a", "x", first)).isNull();
        assertThat(ids.claim("u:a", "x", new CompletableFuture<>())).isSameAs(first);
        assertThat(ids.claim("u:b", "x", new CompletableFuture<>()))
                .as("another target")
                .isNull();

        clock.advance(Duration.ofMinutes(6));
        assertThat(ids.claim("u:a", "x", new CompletableFuture<>()))
                .as("after the window")
                .isNull();
    }

    @Test
    void aReleasedClaimCanBeClaimedAgain() {
        CompletableFuture<PushResult> failed = new CompletableFuture<>();
        ids.claim("u:a", "x", failed);
        ids.release("u:a", "x", failed);
        assertThat(ids.claim("u:a", "x", new CompletableFuture<>())).isNull();
    }

    @Test
    void pastTheLimitTheOldestAreForgotten() {
        for (String id : new String[] {"1", "2", "3"}) {
            ids.claim("u:a", id, new CompletableFuture<>());
        }
        ids.claim("u:a", "4", new CompletableFuture<>());
        assertThat(ids.size()).isLessThanOrEqualTo(3);
        assertThat(ids.claim("u:a", "1", new CompletableFuture<>()))
                .as("forgotten first")
                .isNull();
    }
}
