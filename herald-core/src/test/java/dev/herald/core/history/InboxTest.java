package dev.herald.core.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Message;
import dev.herald.core.PushOptions;
import dev.herald.core.testkit.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The inbox of a uid stream in {@link MemoryStreamStore}: what waits, for how long, and what an ack does. */
class InboxTest {

    private static final StreamStore.Delivery<Object, Publication> RETURN_IT = (publication, context) -> publication;

    private final MutableClock clock = new MutableClock();

    private MemoryStreamStore store(int historySize, int maxPerUid, long inboxBytes) {
        HistoryConfig history = new HistoryConfig(
                historySize, Duration.ofMinutes(1), 1 << 20, List.of("*"), true, 1000, 1000, Duration.ofHours(1));
        InboxConfig inbox =
                new InboxConfig(Duration.ZERO, Duration.ZERO, Duration.ofHours(1), maxPerUid, inboxBytes, false);
        return new MemoryStreamStore(history, inbox, clock);
    }

    private static Publication push(StreamStore store, String stream, String text, long ttlSeconds, String key) {
        Message message = Message.ofUtf8(text.getBytes(), new PushOptions(ttlSeconds * 1000, null, key));
        return store.append(stream, message, Set.of(), null, RETURN_IT);
    }

    private static List<String> texts(HistoryWindow window) {
        return window.publications().stream().map(p -> p.message().text()).toList();
    }

    @Test
    void aTtlOnAUidStreamWaitsAndOnOtherStreamsDoesNot() {
        MemoryStreamStore store = store(10, 10, 1 << 20);

        assertThat(push(store, "u:a", "x", 60, null).waiting()).isTrue();
        assertThat(push(store, "u:a", "y", 0, null).waiting()).isFalse();
        assertThat(push(store, "g:room", "z", 60, null).waiting())
                .as("groups have history, no inbox")
                .isFalse();
        assertThat(push(store, "*", "z", 60, null).waiting()).isFalse();

        assertThat(texts(store.waiting("u:a", 10))).containsExactly("x");
        assertThat(store.inboxStats().waiting()).isEqualTo(1);
    }

    @Test
    void whatWaitsOutlivesHistoryAndIsReadAmongIt() {
        MemoryStreamStore store = store(2, 10, 1 << 20);
        Publication first = push(store, "u:a", "1", 0, null);
        push(store, "u:a", "2", 60, null);
        for (int n = 3; n <= 6; n++) {
            push(store, "u:a", String.valueOf(n), 0, null);
        }

        HistoryWindow window = store.read("u:a", first.position(), 100);
        Recovery answer = Recovery.decide("u:a", first.position(), window);

        assertThat(texts(window)).containsExactly("2", "5", "6");
        assertThat(answer.missed()).containsExactly(new Recovery.Range(3, 4));
    }

    @Test
    void anAckTakesWhatWaitsOffUpToItsOffsetAndOnlyInItsEpoch() {
        MemoryStreamStore store = store(10, 10, 1 << 20);
        Publication one = push(store, "u:a", "1", 60, null);
        push(store, "u:a", "2", 60, null);
        push(store, "u:a", "3", 60, null);

        assertThat(store.ack("u:a", "another-epoch", 3)).isZero();
        assertThat(store.ack("u:a", one.epoch(), 2)).isEqualTo(2);

        assertThat(texts(store.waiting("u:a", 10))).containsExactly("3");
        assertThat(store.inboxStats().acked()).isEqualTo(2);
    }

    @Test
    void anAckedMessageIsGoneForAnotherDeviceThatComesBackFromBeforeIt() {
        MemoryStreamStore store = store(0, 10, 1 << 20); // no history: only the inbox keeps anything
        Publication zero = push(store, "u:a", "0", 0, null);
        Publication one = push(store, "u:a", "1", 60, null);
        push(store, "u:a", "2", 60, null);
        store.ack("u:a", one.epoch(), one.offset());

        Recovery answer = Recovery.decide("u:a", zero.position(), store.read("u:a", zero.position(), 10));

        assertThat(answer.kind()).isEqualTo(Recovery.Kind.GAP);
        assertThat(answer.missed()).containsExactly(new Recovery.Range(2, 2));
        assertThat(answer.replay()).extracting(p -> p.message().text()).containsExactly("2");
    }

    @Test
    void aFullInboxPushesOutItsOldest() {
        MemoryStreamStore store = store(10, 2, 1 << 20);
        for (int n = 1; n <= 4; n++) {
            push(store, "u:a", "m" + n, 60, null);
        }

        assertThat(texts(store.waiting("u:a", 10))).containsExactly("m3", "m4");
        assertThat(store.inboxStats().evicted()).isEqualTo(2);
    }

    @Test
    void pastTheByteBudgetAMessageDoesNotWait() {
        MemoryStreamStore store = store(10, 10, 2 * (Publication.OVERHEAD_BYTES + 1));
        assertThat(push(store, "u:a", "1", 60, null).waiting()).isTrue();
        assertThat(push(store, "u:b", "2", 60, null).waiting()).isTrue();

        Publication refused = push(store, "u:c", "3", 60, null);

        assertThat(refused.waiting()).isFalse();
        assertThat(refused.hasTtl())
                .as("it had a ttl: the reply counts it as dropped")
                .isTrue();
        assertThat(store.inboxStats().refused()).isEqualTo(1);
        assertThat(store.inboxStats().bytes()).isEqualTo(2 * (Publication.OVERHEAD_BYTES + 1));
    }

    @Test
    void aWaitingMessageExpiresAtItsTtl() {
        MemoryStreamStore store = store(10, 10, 1 << 20);
        push(store, "u:a", "short", 1, null);
        push(store, "u:a", "long", 60, null);

        clock.advance(Duration.ofSeconds(2));

        assertThat(texts(store.waiting("u:a", 10))).containsExactly("long");
        clock.advance(Duration.ofMinutes(2));
        store.sweep(clock.millis());
        assertThat(store.inboxStats().waiting()).isZero();
        assertThat(store.inboxStats().expired()).isEqualTo(2);
    }

    @Test
    void aKeyReplacesWhatWaitsAndWhatHistoryKeepsWithoutCountingALoss() {
        MemoryStreamStore store = store(10, 10, 1 << 20);
        Publication start = push(store, "u:a", "start", 0, null);
        push(store, "u:a", "10%", 60, "task");
        push(store, "u:a", "h-10%", 0, "task");
        push(store, "u:a", "other", 0, null);
        push(store, "u:a", "90%", 60, "task");

        HistoryWindow window = store.read("u:a", start.position(), 10);
        Recovery answer = Recovery.decide("u:a", start.position(), window);

        assertThat(texts(window)).containsExactly("other", "90%");
        assertThat(answer.kind()).isEqualTo(Recovery.Kind.RECOVERED);
        assertThat(texts(store.waiting("u:a", 10))).containsExactly("90%");
        assertThat(store.stats().superseded()).isEqualTo(2);
    }

    @Test
    void aStreamWithWaitingMessagesIsNotForgotten() {
        HistoryConfig history =
                new HistoryConfig(10, Duration.ofMinutes(1), 1 << 20, List.of(), false, 1000, 1, Duration.ofMinutes(1));
        MemoryStreamStore store = new MemoryStreamStore(history, InboxConfig.DEFAULTS, clock);
        Publication waiting = push(store, "u:a", "wait for me", 3600, null);

        clock.advance(Duration.ofMinutes(5));
        store.sweep(clock.millis());
        push(store, "u:b", "another stream, over max-streams", 0, null);

        HistoryWindow window = store.waiting("u:a", 10);
        assertThat(window.epoch()).isEqualTo(waiting.epoch());
        assertThat(texts(window)).containsExactly("wait for me");
    }

    @Test
    void aNewClientIsSentWhatWaitsWithTheChainStartingBeforeIt() {
        MemoryStreamStore store = store(10, 10, 1 << 20);
        push(store, "u:a", "h", 0, null);
        push(store, "u:a", "w", 60, null);

        Recovery answer = Recovery.decide("u:a", null, store.waiting("u:a", 10));

        assertThat(answer.kind()).isEqualTo(Recovery.Kind.NEW);
        assertThat(answer.replay()).extracting(p -> p.message().text()).containsExactly("w");
        assertThat(answer.from()).isEqualTo(1);
    }
}
