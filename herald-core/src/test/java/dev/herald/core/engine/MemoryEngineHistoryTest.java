package dev.herald.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Hub;
import dev.herald.core.Message;
import dev.herald.core.PushResult;
import dev.herald.core.Target;
import dev.herald.core.history.HistoryConfig;
import dev.herald.core.history.HistoryWindow;
import dev.herald.core.history.MemoryStreamStore;
import dev.herald.core.history.Publication;
import dev.herald.core.history.StreamPosition;
import dev.herald.core.testkit.MutableClock;
import dev.herald.core.testkit.RecordingSession;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How the memory engine gives pushes their streams and positions, and keeps them. */
class MemoryEngineHistoryTest {

    private final MutableClock clock = new MutableClock();
    private final Hub hub = new Hub();
    private static final HistoryConfig EVERY_UID = new HistoryConfig(
            HistoryConfig.DEFAULT_SIZE,
            HistoryConfig.DEFAULT_TTL,
            HistoryConfig.DEFAULT_MAX_BYTES,
            java.util.List.of(),
            false,
            HistoryConfig.DEFAULT_MAX_REPLAY,
            HistoryConfig.DEFAULT_MAX_STREAMS,
            HistoryConfig.DEFAULT_META_TTL,
            HistoryConfig.Uids.ALL);

    private final MemoryEngine engine = new MemoryEngine(hub, new MemoryStreamStore(EVERY_UID, clock));

    private RecordingSession connect(String uid) {
        RecordingSession session = new RecordingSession();
        hub.register(session);
        assertThat(hub.bind(session, uid)).isTrue();
        return session;
    }

    private PushResult publish(Target target, String text) {
        return engine.publish(target, Message.ofText(text))
                .toCompletableFuture()
                .join();
    }

    private HistoryWindow history(String stream, StreamPosition since, int limit) {
        return engine.history(stream, since, limit).toCompletableFuture().join();
    }

    private static Target uidsAndGroup(Set<String> uids, String group) {
        return new Target(uids, Set.of(group), false, Set.of(), Set.of());
    }

    @Test
    void aConnectionNamedBySeveralPartsGetsThePushOnceThroughTheFirstPart() {
        hub.join("g", List.of("a", "c"));
        RecordingSession a = connect("a");
        RecordingSession b = connect("b");
        RecordingSession c = connect("c");

        PushResult result = publish(uidsAndGroup(Set.of("a", "b"), "g"), "one");

        assertThat(result).isEqualTo(new PushResult(3, 3));
        Publication toA = a.awaitPublication();
        Publication toB = b.awaitPublication();
        Publication toC = c.awaitPublication();
        assertThat(toA.stream()).isEqualTo("u:a");
        assertThat(toB.stream()).isEqualTo("u:b");
        assertThat(toC.stream()).isEqualTo("g:g");
        assertThat(List.of(toA, toB, toC)).extracting(Publication::offset).containsOnly(1L);
        assertThat(List.of(toA, toB, toC)).extracting(p -> p.message().text()).containsOnly("one");
        assertThat(toA.message()).as("one message shared by every part").isSameAs(toC.message());
        a.assertNoMoreMessages();
        b.assertNoMoreMessages();
        c.assertNoMoreMessages();
    }

    @Test
    void eachPushTakesTheNextOffsetOnEachOfItsStreams() {
        hub.join("g", List.of("a", "c"));
        RecordingSession a = connect("a");
        RecordingSession b = connect("b");
        RecordingSession c = connect("c");
        Target target = uidsAndGroup(Set.of("a", "b"), "g");

        publish(target, "one");
        publish(target, "two");

        for (RecordingSession session : List.of(a, b, c)) {
            Publication first = session.awaitPublication();
            Publication second = session.awaitPublication();
            assertThat(first.offset()).isEqualTo(1);
            assertThat(second.position()).isEqualTo(new StreamPosition(first.epoch(), 2));
            assertThat(second.message().text()).isEqualTo("two");
            session.assertNoMoreMessages();
        }
        assertThat(history("g:g", null, 10).top()).isEqualTo(2);
        assertThat(history("u:c", null, 10).top())
                .as("c was reached through the group only")
                .isZero();
    }

    @Test
    void aSingleUidPushIsOnTheUidsStream() {
        RecordingSession a = connect("a");

        publish(Target.uid("a"), "one");
        publish(Target.uid("a"), "two");

        assertThat(a.awaitPublication().stream()).isEqualTo("u:a");
        Publication second = a.awaitPublication();
        assertThat(second.offset()).isEqualTo(2);
        assertThat(history("u:a", null, 10).publications()).last().isSameAs(second);
    }

    @Test
    void historyReturnsTheKeptPublicationsOfAUid() {
        RecordingSession a = connect("a");
        publish(Target.uid("a"), "one");
        publish(uidsAndGroup(Set.of("a", "b"), "g"), "two");
        Publication delivered = a.awaitPublication();

        HistoryWindow window = history("u:a", null, 10);

        assertThat(window.top()).isEqualTo(2);
        assertThat(window.epoch()).isEqualTo(delivered.epoch());
        assertThat(window.publications()).extracting(p -> p.message().text()).containsExactly("one", "two");
        assertThat(window.publications()).extracting(Publication::offset).containsExactly(1L, 2L);
        assertThat(history("u:a", new StreamPosition(delivered.epoch(), 1), 10).publications())
                .extracting(Publication::offset)
                .containsExactly(2L);
    }

    @Test
    void aPushToAnOfflineUidReachesNobodyButIsKept() {
        PushResult result = publish(Target.uid("offline"), "for later");

        assertThat(result).isEqualTo(PushResult.NONE);
        assertThat(result.sessions()).isZero();
        HistoryWindow window = history("u:offline", null, 10);
        assertThat(window.publications()).extracting(p -> p.message().text()).containsExactly("for later");

        RecordingSession later = connect("offline");
        publish(Target.uid("offline"), "now");
        assertThat(later.awaitPublication().position()).isEqualTo(new StreamPosition(window.epoch(), 2));
    }

    @Test
    void anExcludedUidsStreamStillTakesThePositionAndKeepsTheExclusion() {
        RecordingSession a = connect("a");
        Target target = new Target(Set.of("a", "b"), Set.of(), false, Set.of("a"), Set.of());

        PushResult result = publish(target, "not for a");

        assertThat(result).isEqualTo(PushResult.NONE);
        a.assertNoMoreMessages();
        HistoryWindow window = history("u:a", null, 10);
        assertThat(window.top()).isEqualTo(1);
        assertThat(window.publications())
                .singleElement()
                .satisfies(p -> assertThat(p.isFor("a")).isFalse());
    }

    @Test
    void theDefaultHistoryKeepsNeitherGroupsNorEveryoneButGivesThemPositions() {
        connect("a");
        hub.join("g", List.of("a"));
        publish(Target.group("g"), "to g");
        publish(Target.all(), "to all");

        for (String stream : List.of("g:g", "*")) {
            HistoryWindow window = history(stream, null, 10);
            assertThat(window.epoch()).as(stream).isNotNull();
            assertThat(window.top()).as(stream).isEqualTo(1);
            assertThat(window.publications()).as(stream).isEmpty();
        }
        assertThat(engine.historyStats().appended()).isEqualTo(2);
        assertThat(engine.historyConfig()).isEqualTo(EVERY_UID);
    }

    @Test
    void sweepingDropsExpiredHistory() {
        publish(Target.uid("a"), "one");
        assertThat(engine.historyStats().publications()).isEqualTo(1);

        clock.advance(HistoryConfig.DEFAULT_TTL.plus(Duration.ofSeconds(1)));
        engine.sweep(clock.millis());

        assertThat(engine.historyStats().publications()).isZero();
        assertThat(engine.historyStats().expired()).isEqualTo(1);
        assertThat(history("u:a", null, 10).top()).isEqualTo(1);
    }

    @Test
    void byDefaultAUidStreamKeepsHistoryOnlyOnceAClientAskedForIt() {
        MemoryEngine v1 = new MemoryEngine(hub, new MemoryStreamStore(HistoryConfig.DEFAULTS, clock));
        v1.publish(Target.uid("a"), Message.ofText("before"))
                .toCompletableFuture()
                .join();
        assertThat(v1.historyStats().publications())
                .as("a seed-only uid keeps nothing")
                .isZero();

        HistoryWindow asked = v1.history("u:a", null, 10).toCompletableFuture().join();
        v1.publish(Target.uid("a"), Message.ofText("after"))
                .toCompletableFuture()
                .join();

        assertThat(asked.top()).isEqualTo(1);
        HistoryWindow window = v1.history("u:a", null, 10).toCompletableFuture().join();
        assertThat(window.publications()).extracting(p -> p.message().text()).containsExactly("after");
        assertThat(window.trimmed()).as("what came before the ask is gone").isEqualTo(1);
    }
}
