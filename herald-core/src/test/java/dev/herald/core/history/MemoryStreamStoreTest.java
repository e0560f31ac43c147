package dev.herald.core.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Message;
import dev.herald.core.testkit.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MemoryStreamStoreTest {

    private static final Duration TTL = Duration.ofMinutes(1);
    private static final Duration META_TTL = Duration.ofMinutes(10);

    /** A delivery that hands the publication back, so that append returns it. */
    private static final StreamStore.Delivery<Object, Publication> RETURN_IT = (publication, context) -> publication;

    private final MutableClock clock = new MutableClock();

    private static HistoryConfig config(int size, long maxBytes, List<String> groups, boolean all, int maxStreams) {
        return new HistoryConfig(size, TTL, maxBytes, groups, all, 1000, maxStreams, META_TTL);
    }

    private static HistoryConfig size(int size) {
        return config(size, HistoryConfig.DEFAULT_MAX_BYTES, List.of(), false, 1000);
    }

    private MemoryStreamStore store(HistoryConfig config) {
        return new MemoryStreamStore(config, clock);
    }

    private static Publication append(StreamStore store, String stream, String text) {
        return store.append(stream, Message.ofText(text), Set.of(), null, RETURN_IT);
    }

    private static List<Long> offsets(HistoryWindow window) {
        return window.publications().stream().map(Publication::offset).toList();
    }

    private static List<String> texts(HistoryWindow window) {
        return window.publications().stream().map(p -> p.message().text()).toList();
    }

    @Test
    void eachStreamCountsItsOwnOffsetsUnderItsOwnEpoch() {
        MemoryStreamStore store = store(size(100));

        List<Publication> a = new ArrayList<>();
        List<Publication> b = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            a.add(append(store, "u:a", "a" + i));
            b.add(append(store, "u:b", "b" + i));
        }
        a.add(append(store, "u:a", "a3"));

        assertThat(a).extracting(Publication::offset).containsExactly(1L, 2L, 3L, 4L);
        assertThat(b).extracting(Publication::offset).containsExactly(1L, 2L, 3L);
        assertThat(a).extracting(Publication::epoch).containsOnly(a.get(0).epoch());
        assertThat(b).extracting(Publication::epoch).containsOnly(b.get(0).epoch());
        assertThat(a.get(0).epoch()).isNotEqualTo(b.get(0).epoch());
        assertThat(a).extracting(Publication::stream).containsOnly("u:a");
        assertThat(store.read("u:a", null, 10).top()).isEqualTo(4);
        assertThat(store.read("u:b", null, 10).top()).isEqualTo(3);
        assertThat(store.stats().appended()).isEqualTo(7);
    }

    @Test
    void aPositionPastTheLastOffsetReadsEverythingKeptSoThatTheResetReplaysIt() {
        MemoryStreamStore store = store(size(100));
        String epoch = null;
        for (int i = 1; i <= 5; i++) {
            epoch = append(store, "u:a", "m" + i).epoch();
        }

        HistoryWindow window = store.read("u:a", new StreamPosition(epoch, 9), 100);
        Recovery answer = Recovery.decide("u:a", new StreamPosition(epoch, 9), window);

        assertThat(offsets(window)).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(answer.kind()).isEqualTo(Recovery.Kind.RESET);
        assertThat(answer.replay()).hasSize(5);
        assertThat(answer.from()).isZero();
    }

    @Test
    void deliveryRunsInsideTheAppendWithTheKeptPublicationAndItsResultIsReturned() {
        MemoryStreamStore store = store(size(100));
        Object context = new Object();
        List<Publication> delivered = new ArrayList<>();

        String result = store.append("u:a", Message.ofText("hi"), Set.of("x"), context, (publication, given) -> {
            assertThat(given).isSameAs(context);
            delivered.add(publication);
            // Kept before it is delivered: a client that reads now finds it, so nothing falls between.
            HistoryWindow window = store.read("u:a", null, 10);
            assertThat(window.top()).isEqualTo(publication.offset());
            assertThat(window.publications()).containsExactly(publication);
            return "delivered " + publication.offset();
        });

        assertThat(result).isEqualTo("delivered 1");
        assertThat(delivered).hasSize(1);
        Publication publication = delivered.get(0);
        assertThat(publication.message().text()).isEqualTo("hi");
        assertThat(publication.exceptUids()).containsExactly("x");
        assertThat(publication.time()).isEqualTo(clock.millis());
    }

    @Test
    void aFullStreamKeepsItsNewestMessages() {
        MemoryStreamStore store = store(size(4));
        for (int i = 1; i <= 9; i++) {
            append(store, "u:a", "m" + i);
        }

        HistoryWindow window = store.read("u:a", null, 100);
        assertThat(window.top()).isEqualTo(9);
        assertThat(offsets(window)).containsExactly(6L, 7L, 8L, 9L);
        assertThat(texts(window)).containsExactly("m6", "m7", "m8", "m9");
        HistoryStats stats = store.stats();
        assertThat(stats.publications()).isEqualTo(4);
        assertThat(stats.evicted()).isEqualTo(5);
        assertThat(stats.expired()).isZero();
        assertThat(stats.bytes()).isEqualTo(4L * (2 + Publication.OVERHEAD_BYTES));
    }

    @Test
    void readingLeavesOutExpiredMessagesAndCountsThem() {
        MemoryStreamStore store = store(size(100));
        append(store, "u:a", "old1");
        append(store, "u:a", "old2");
        clock.advance(TTL.dividedBy(2));
        append(store, "u:a", "young");

        clock.advance(TTL.dividedBy(2));
        HistoryWindow window = store.read("u:a", null, 100);

        assertThat(texts(window)).containsExactly("young");
        assertThat(window.top()).as("expiry drops messages, not positions").isEqualTo(3);
        assertThat(store.stats().expired()).isEqualTo(2);
        assertThat(store.stats().publications()).isEqualTo(1);
    }

    @Test
    void aMessageYoungerThanTheTtlIsKept() {
        MemoryStreamStore store = store(size(100));
        append(store, "u:a", "m");
        clock.advance(TTL.minusMillis(1));

        assertThat(texts(store.read("u:a", null, 100))).containsExactly("m");
        assertThat(store.stats().expired()).isZero();
    }

    @Test
    void sweepingDropsExpiredMessagesButKeepsThePosition() {
        MemoryStreamStore store = store(size(100));
        append(store, "u:a", "m1");
        append(store, "u:b", "m2");
        append(store, "u:b", "m3");

        clock.advance(TTL);
        store.sweep(clock.millis());

        HistoryStats stats = store.stats();
        assertThat(stats.publications()).isZero();
        assertThat(stats.bytes()).isZero();
        assertThat(stats.expired()).isEqualTo(3);
        assertThat(stats.streams()).isEqualTo(2);
        HistoryWindow b = store.read("u:b", null, 100);
        assertThat(b.publications()).isEmpty();
        assertThat(b.top()).isEqualTo(2);
        assertThat(append(store, "u:b", "m4").position()).isEqualTo(new StreamPosition(b.epoch(), 3));
    }

    /** The byte budget evicts round-robin: the oldest of one stream, then of the next. */
    @Test
    void theByteBudgetHoldsAndLeavesEveryStreamSomeMessages() {
        int cost = 2 + Publication.OVERHEAD_BYTES; // "a1" .. "b9"
        long budget = 4L * cost;
        MemoryStreamStore store = store(config(100, budget, List.of(), false, 1000));

        for (int i = 1; i <= 9; i++) {
            append(store, "u:a", "a" + i);
            assertThat(store.stats().bytes()).isLessThanOrEqualTo(budget);
            append(store, "u:b", "b" + i);
            assertThat(store.stats().bytes()).isLessThanOrEqualTo(budget);
        }

        HistoryStats stats = store.stats();
        assertThat(stats.bytes()).isEqualTo(stats.publications() * cost);
        assertThat(stats.evicted()).isEqualTo(18 - stats.publications());
        List<String> a = texts(store.read("u:a", null, 100));
        List<String> b = texts(store.read("u:b", null, 100));
        assertThat(a).isNotEmpty().endsWith("a9");
        assertThat(b).isNotEmpty().endsWith("b9");
        assertThat(a.size() + b.size()).isEqualTo(stats.publications());
    }

    @Test
    void aMessageDearerThanTheWholeBudgetIsNotKept() {
        MemoryStreamStore store = store(config(100, 10, List.of(), false, 1000));

        Publication publication = append(store, "u:a", "m");

        assertThat(publication.offset()).isEqualTo(1);
        assertThat(store.read("u:a", null, 10).publications()).isEmpty();
        assertThat(store.stats().bytes()).isZero();
        assertThat(store.stats().evicted()).isEqualTo(1);
    }

    @Test
    void groupsKeepOnlyWhenAPatternMatchesButEveryStreamHasPositions() {
        MemoryStreamStore store = store(config(100, HistoryConfig.DEFAULT_MAX_BYTES, List.of("room-*"), false, 1000));
        for (String stream : List.of("g:room-1", "g:lobby", "*", "u:a")) {
            append(store, stream, "1");
            append(store, stream, "2");
        }

        assertThat(offsets(store.read("g:room-1", null, 10))).containsExactly(1L, 2L);
        assertThat(offsets(store.read("u:a", null, 10))).containsExactly(1L, 2L);
        for (String stream : List.of("g:lobby", "*")) {
            HistoryWindow window = store.read(stream, null, 10);
            assertThat(window.publications()).as(stream).isEmpty();
            assertThat(window.epoch()).as(stream).isNotNull();
            assertThat(window.top()).as(stream).isEqualTo(2);
        }
        assertThat(store.stats().publications()).isEqualTo(4);
        assertThat(store.stats().appended()).isEqualTo(8);
    }

    @Test
    void theEveryoneStreamKeepsWhenAllIsSet() {
        MemoryStreamStore store = store(config(100, HistoryConfig.DEFAULT_MAX_BYTES, List.of(), true, 1000));
        append(store, "*", "1");

        assertThat(texts(store.read("*", null, 10))).containsExactly("1");
    }

    @Test
    void readingWithALimitGivesTheNewestOldestFirst() {
        MemoryStreamStore store = store(size(100));
        for (int i = 1; i <= 10; i++) {
            append(store, "u:a", "m" + i);
        }

        assertThat(offsets(store.read("u:a", null, 3))).containsExactly(8L, 9L, 10L);
        assertThat(store.read("u:a", null, 0).publications()).isEmpty();
        assertThat(store.read("u:a", null, 0).top()).isEqualTo(10);
    }

    @Test
    void readingSinceAPositionGivesWhatFollowsIt() {
        MemoryStreamStore store = store(size(100));
        String epoch = null;
        for (int i = 1; i <= 10; i++) {
            epoch = append(store, "u:a", "m" + i).epoch();
        }

        assertThat(offsets(store.read("u:a", new StreamPosition(epoch, 7), 100)))
                .containsExactly(8L, 9L, 10L);
        assertThat(offsets(store.read("u:a", new StreamPosition(epoch, 7), 2))).containsExactly(9L, 10L);
        assertThat(store.read("u:a", new StreamPosition(epoch, 10), 100).publications())
                .isEmpty();
    }

    @Test
    void readingSinceAnotherEpochGivesEverythingKept() {
        MemoryStreamStore store = store(size(5));
        for (int i = 1; i <= 8; i++) {
            append(store, "u:a", "m" + i);
        }

        HistoryWindow window = store.read("u:a", new StreamPosition("other", 7), 100);

        assertThat(offsets(window)).containsExactly(4L, 5L, 6L, 7L, 8L);
        assertThat(window.epoch()).isNotEqualTo("other");
    }

    @Test
    void aStreamNeverWrittenIsUnknown() {
        MemoryStreamStore store = store(size(5));

        assertThat(store.read("u:nobody", null, 10)).isEqualTo(HistoryWindow.UNKNOWN);
        assertThat(store.read("u:nobody", new StreamPosition("e", 3), 10).epoch())
                .isNull();
    }

    @Test
    void aStreamIdlePastTheMetaTtlIsForgottenAndStartsOverUnderANewEpoch() {
        MemoryStreamStore store = store(size(5));
        Publication first = append(store, "u:a", "m1");
        append(store, "u:a", "m2");
        clock.advance(META_TTL.minusSeconds(30));
        append(store, "u:b", "young");

        clock.advance(Duration.ofSeconds(30));
        store.sweep(clock.millis());

        assertThat(store.read("u:a", null, 10)).isEqualTo(HistoryWindow.UNKNOWN);
        assertThat(store.read("u:b", null, 10).top()).isEqualTo(1);
        HistoryStats stats = store.stats();
        assertThat(stats.streams()).isEqualTo(1);
        assertThat(stats.forgotten()).isEqualTo(1);
        assertThat(stats.publications()).isEqualTo(1);

        Publication again = append(store, "u:a", "m3");
        assertThat(again.offset()).isEqualTo(1);
        assertThat(again.epoch()).isNotEqualTo(first.epoch());
    }

    @Test
    void aStreamWrittenWithinTheMetaTtlIsRemembered() {
        MemoryStreamStore store = store(size(5));
        Publication first = append(store, "u:a", "m1");
        clock.advance(META_TTL.minusMillis(1));
        store.sweep(clock.millis());

        assertThat(append(store, "u:a", "m2").position()).isEqualTo(new StreamPosition(first.epoch(), 2));
    }

    @Test
    void tooManyStreamsAreForgottenDownToTheLimit() {
        MemoryStreamStore store = store(config(5, HistoryConfig.DEFAULT_MAX_BYTES, List.of(), false, 10));

        for (int i = 0; i < 25; i++) {
            append(store, "u:" + i, "m");
            assertThat(store.stats().streams()).isLessThanOrEqualTo(10);
        }

        HistoryStats stats = store.stats();
        assertThat(stats.forgotten()).isPositive().isEqualTo(25 - stats.streams());
        assertThat(stats.publications())
                .as("forgotten streams' messages go with them")
                .isEqualTo(stats.streams());
        assertThat(store.read("u:24", null, 10).top()).as("the newest stream").isEqualTo(1);
    }

    @Test
    void aStreamWrittenAgainSurvivesWhenOlderStreamsAreForgotten() {
        MemoryStreamStore store = store(config(5, HistoryConfig.DEFAULT_MAX_BYTES, List.of(), false, 10));
        for (int i = 0; i < 10; i++) {
            append(store, "u:" + i, "m");
        }
        clock.advance(Duration.ofSeconds(1));
        Publication busy = append(store, "u:0", "again"); // the oldest stream, written most recently

        append(store, "u:new", "m");

        HistoryStats stats = store.stats();
        assertThat(stats.streams()).isLessThanOrEqualTo(10);
        assertThat(stats.forgotten()).isPositive();
        HistoryWindow window = store.read("u:0", null, 10);
        assertThat(window.epoch()).isEqualTo(busy.epoch());
        assertThat(window.top()).isEqualTo(2);
        long forgottenIdle = IntStream.range(1, 10)
                .filter(i -> store.read("u:" + i, null, 10).epoch() == null)
                .count();
        assertThat(forgottenIdle).as("idle streams forgotten instead").isEqualTo(stats.forgotten());
    }

    @Test
    void anAppendGetsAPositionEvenWhenEveryRememberedStreamWasWrittenRecently() {
        MemoryStreamStore store = store(config(5, HistoryConfig.DEFAULT_MAX_BYTES, List.of(), false, 10));
        for (int i = 0; i < 10; i++) {
            append(store, "u:" + i, "m");
        }
        clock.advance(Duration.ofSeconds(1));
        for (int i = 0; i < 10; i++) {
            append(store, "u:" + i, "again");
        }

        Publication publication = append(store, "u:new", "m");

        assertThat(publication.offset()).isEqualTo(1);
        assertThat(store.stats().streams()).isLessThanOrEqualTo(10);
        assertThat(store.read("u:new", null, 10).publications()).containsExactly(publication);
    }

    @Test
    void aStoreThatKeepsNothingStillGivesPositions() {
        MemoryStreamStore store = store(size(0));
        append(store, "u:a", "m1");
        Publication second = append(store, "u:a", "m2");

        assertThat(second.offset()).isEqualTo(2);
        assertThat(store.read("u:a", null, 10).publications()).isEmpty();
        assertThat(store.stats().publications()).isZero();
    }
}
