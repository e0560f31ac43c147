package dev.herald.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.CloseReason;
import dev.herald.core.ConnectionInfo;
import dev.herald.core.Counts;
import dev.herald.core.GroupCount;
import dev.herald.core.Kick;
import dev.herald.core.Message;
import dev.herald.core.Page;
import dev.herald.core.PushResult;
import dev.herald.core.Session;
import dev.herald.core.Target;
import dev.herald.core.history.HistoryWindow;
import dev.herald.core.history.Publication;
import dev.herald.core.history.StreamPosition;
import dev.herald.core.testkit.RecordingSession;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Engine} does, written once and run against each: {@code MemoryEngineContractTest}
 * here, a Redis engine's integration test elsewhere. Only {@link Engine} calls and the hooks below, so
 * that the suite holds for an engine that answers asynchronously and from other nodes: deliveries are
 * awaited, and "nothing else arrived" is shown by a later push arriving next.
 *
 * <p>The engine's history must keep every uid's stream ({@code history.uids: all}, {@link
 * dev.herald.core.history.HistoryConfig.Uids#ALL}) and start empty: no connections, groups or streams.
 */
public abstract class EngineContract {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** The engine under test: the same one throughout a test, a fresh one for each test. */
    protected abstract Engine engine();

    /** Opens a connection on a node of the engine and binds it to a uid, as a transport does. */
    protected abstract void bind(Session session, String uid);

    /** Closes a bound connection as a transport does when its socket closes. */
    protected abstract void disconnect(Session session);

    private static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("engine call did not complete within " + TIMEOUT, e);
        }
    }

    private RecordingSession connect(String uid) {
        RecordingSession session = new RecordingSession();
        bind(session, uid);
        return session;
    }

    private PushResult publish(Target target, String text) {
        return await(engine().publish(target, Message.ofText(text)));
    }

    private HistoryWindow history(String stream, StreamPosition since, int limit) {
        return await(engine().history(stream, since, limit));
    }

    /** Shows that a session got nothing more than was asserted: a push to its uid arrives next. */
    private void assertNextIsMarker(RecordingSession session, String uid) {
        String marker = "marker-" + session.id();
        publish(Target.uid(uid), marker);
        assertThat(session.awaitMessage()).as("next on %s", session.id()).isEqualTo(marker);
    }

    private static Target target(Set<String> uids, Set<String> groups, boolean all) {
        return new Target(uids, groups, all, Set.of(), Set.of());
    }

    // publish

    @Test
    void aPushToAUidReachesEachOfItsConnections() {
        RecordingSession tab1 = connect("a");
        RecordingSession tab2 = connect("a");
        RecordingSession other = connect("b");

        assertThat(publish(Target.uid("a"), "hello")).isEqualTo(new PushResult(2, 1));

        assertThat(tab1.awaitMessage()).isEqualTo("hello");
        assertThat(tab2.awaitMessage()).isEqualTo("hello");
        assertNextIsMarker(other, "b");
    }

    @Test
    void aPushToAnOfflineUidReachesNobody() {
        connect("a");

        assertThat(publish(Target.uid("nobody"), "x")).isEqualTo(PushResult.NONE);
    }

    @Test
    void aPushToUidsGroupsAndEveryoneReachesEachConnectionOnce() {
        await(engine().join("g", List.of("a", "c")));
        RecordingSession a = connect("a");
        RecordingSession b = connect("b");
        RecordingSession c = connect("c");
        RecordingSession d = connect("d");

        PushResult result = publish(target(Set.of("a", "b"), Set.of("g"), true), "all of it");

        assertThat(result).isEqualTo(new PushResult(4, 4));
        assertThat(a.awaitPublication().stream()).isEqualTo("u:a");
        assertThat(b.awaitPublication().stream()).isEqualTo("u:b");
        assertThat(c.awaitPublication().stream()).isEqualTo("g:g");
        assertThat(d.awaitPublication().stream()).isEqualTo("*");
        assertNextIsMarker(a, "a");
        assertNextIsMarker(b, "b");
        assertNextIsMarker(c, "c");
        assertNextIsMarker(d, "d");
    }

    @Test
    void aPushLeavesOutExcludedUidsAndConnections() {
        await(engine().join("g", List.of("a", "b", "c")));
        RecordingSession a = connect("a");
        RecordingSession b1 = connect("b");
        RecordingSession b2 = connect("b");
        RecordingSession c = connect("c");
        Target target = new Target(
                Set.of(), Set.of("g"), false, Set.of("a"), Set.of(b1.id().toString()));

        assertThat(publish(target, "m")).isEqualTo(new PushResult(2, 2));

        assertThat(b2.awaitMessage()).isEqualTo("m");
        assertThat(c.awaitMessage()).isEqualTo("m");
        assertNextIsMarker(a, "a");
        String marker = "to b";
        publish(Target.uid("b"), marker);
        assertThat(b1.awaitMessage()).as("b1 was excluded").isEqualTo(marker);
    }

    @Test
    void aPushToEveryoneReachesEveryBoundConnection() {
        RecordingSession a = connect("a");
        RecordingSession b = connect("b");

        assertThat(publish(Target.all(), "news")).isEqualTo(new PushResult(2, 2));

        assertThat(a.awaitMessage()).isEqualTo("news");
        assertThat(b.awaitMessage()).isEqualTo("news");
    }

    // presence

    @Test
    void onlineAnswersForEachUidInTheOrderGiven() {
        connect("b");
        RecordingSession a = connect("a");

        Map<String, Boolean> online = await(engine().online(List.of("c", "a", "b")));

        assertThat(online).containsExactly(Map.entry("c", false), Map.entry("a", true), Map.entry("b", true));
        disconnect(a);
        Awaitility.await()
                .atMost(TIMEOUT)
                .until(() -> !await(engine().online(List.of("a"))).get("a"));
    }

    @Test
    void connectionsListAUidsConnectionIdsInBindOrder() {
        RecordingSession first = connect("a");
        RecordingSession second = connect("a");

        assertThat(await(engine().connections("a")).stream().map(ConnectionInfo::id))
                .containsExactly(first.id().toString(), second.id().toString());
        assertThat(await(engine().connections("nobody"))).isEmpty();

        disconnect(first);
        Awaitility.await()
                .atMost(TIMEOUT)
                .until(() -> await(engine().connections("a")).stream()
                        .map(ConnectionInfo::id)
                        .toList()
                        .equals(List.of(second.id().toString())));
    }

    @Test
    void onlineUidsArePagedInAscendingOrder() {
        for (String uid : List.of("c", "a", "e", "b", "d")) {
            connect(uid);
        }

        Page first = await(engine().onlineUids(null, 2));
        Page second = await(engine().onlineUids(first.next(), 2));
        Page last = await(engine().onlineUids(second.next(), 2));

        assertThat(first.items()).containsExactly("a", "b");
        assertThat(second.items()).containsExactly("c", "d");
        assertThat(last.items()).containsExactly("e");
        assertThat(last.next()).isNull();
    }

    @Test
    void countsCountConnectionsUidsAndGroups() {
        connect("a");
        connect("a");
        connect("b");
        await(engine().join("g1", List.of("a")));
        await(engine().join("g2", List.of("z")));

        assertThat(await(engine().counts())).isEqualTo(new Counts(3, 2, 2));
    }

    // groups

    @Test
    void joinAndLeaveCountWhatChanged() {
        assertThat(await(engine().join("g", List.of("a", "b")))).isEqualTo(2);
        assertThat(await(engine().join("g", List.of("b", "c")))).isEqualTo(1);
        assertThat(await(engine().leave("g", List.of("a", "x")))).isEqualTo(1);
        assertThat(await(engine().leave("nowhere", List.of("a")))).isZero();

        assertThat(await(engine().members("g", null, 10)).items()).containsExactly("b", "c");
    }

    @Test
    void membersArePagedAndCountedOnlineOrNot() {
        await(engine().join("g", List.of("d", "b", "a", "c")));
        connect("b");
        connect("b");
        connect("d");

        Page first = await(engine().members("g", null, 3));
        Page rest = await(engine().members("g", first.next(), 3));

        assertThat(first.items()).containsExactly("a", "b", "c");
        assertThat(rest.items()).containsExactly("d");
        assertThat(rest.next()).isNull();
        assertThat(await(engine().members("nowhere", null, 3)).items()).isEmpty();
        assertThat(await(engine().groupCount("g"))).isEqualTo(new GroupCount("g", 4, 2));
        assertThat(await(engine().groupCount("nowhere"))).isEqualTo(new GroupCount("nowhere", 0, 0));
    }

    @Test
    void groupsArePagedAndAGroupWithoutMembersIsGone() {
        await(engine().join("b", List.of("x")));
        await(engine().join("a", List.of("x")));
        await(engine().join("c", List.of("x")));
        await(engine().leave("c", List.of("x")));

        Page first = await(engine().groups(null, 1));
        Page rest = await(engine().groups(first.next(), 10));

        assertThat(first.items()).containsExactly("a");
        assertThat(rest.items()).containsExactly("b");
        assertThat(rest.next()).isNull();
    }

    @Test
    void membershipCoversConnectionsBoundLater() {
        await(engine().join("g", List.of("a")));
        RecordingSession later = connect("a");

        assertThat(publish(Target.group("g"), "m")).isEqualTo(new PushResult(1, 1));
        assertThat(later.awaitMessage()).isEqualTo("m");
    }

    // kick

    @Test
    void aKickOfAUidClosesEachOfItsConnections() {
        RecordingSession tab1 = connect("a");
        RecordingSession tab2 = connect("a");
        RecordingSession other = connect("b");

        assertThat(await(engine().kick(new Kick("a", null, "bye")))).isEqualTo(2);

        for (RecordingSession session : List.of(tab1, tab2)) {
            Awaitility.await().atMost(TIMEOUT).until(() -> session.closeReason() != null);
            assertThat(session.closeReason()).isEqualTo(CloseReason.KICKED);
            assertThat(session.closeText()).isEqualTo("bye");
        }
        assertThat(other.closeReason()).isNull();
    }

    @Test
    void aKickOfAConnectionClosesOnlyThatOne() {
        RecordingSession tab1 = connect("a");
        RecordingSession tab2 = connect("a");

        assertThat(await(engine().kick(new Kick(null, tab2.id().toString(), null))))
                .isEqualTo(1);

        Awaitility.await().atMost(TIMEOUT).until(() -> tab2.closeReason() != null);
        assertThat(tab2.closeReason()).isEqualTo(CloseReason.KICKED);
        assertThat(tab2.closeText()).isEqualTo(CloseReason.KICKED.reason());
        assertThat(tab1.closeReason()).isNull();
        assertThat(await(engine().kick(new Kick(null, "no-such-connection", null))))
                .isZero();
        assertThat(await(engine().kick(new Kick("nobody", null, null)))).isZero();
    }

    // history

    @Test
    void eachPushTakesTheNextOffsetOfItsStream() {
        RecordingSession a = connect("a");

        publish(Target.uid("a"), "one");
        publish(Target.uid("a"), "two");
        publish(Target.uid("a"), "three");

        Publication first = a.awaitPublication();
        Publication second = a.awaitPublication();
        Publication third = a.awaitPublication();
        assertThat(first.stream()).isEqualTo("u:a");
        assertThat(first.offset()).isEqualTo(1);
        assertThat(second.position()).isEqualTo(new StreamPosition(first.epoch(), 2));
        assertThat(third.position()).isEqualTo(new StreamPosition(first.epoch(), 3));
        assertThat(history("u:a", null, 10).top()).isEqualTo(3);
    }

    @Test
    void historyReturnsTheKeptPublicationsOldestFirst() {
        publish(Target.uid("a"), "one");
        publish(Target.uid("a"), "two");
        publish(Target.uid("a"), "three");

        HistoryWindow all = history("u:a", null, 10);
        HistoryWindow newest = history("u:a", null, 2);
        HistoryWindow after = history("u:a", new StreamPosition(all.epoch(), 1), 10);

        assertThat(all.epoch()).isNotNull();
        assertThat(all.top()).isEqualTo(3);
        assertThat(all.publications()).extracting(p -> p.message().text()).containsExactly("one", "two", "three");
        assertThat(all.publications()).extracting(Publication::offset).containsExactly(1L, 2L, 3L);
        assertThat(all.publications()).extracting(Publication::epoch).containsOnly(all.epoch());
        assertThat(newest.publications()).extracting(Publication::offset).containsExactly(2L, 3L);
        assertThat(after.publications()).extracting(Publication::offset).containsExactly(2L, 3L);
    }

    @Test
    void historySinceAnotherEpochReturnsEverythingKept() {
        publish(Target.uid("a"), "one");
        publish(Target.uid("a"), "two");

        HistoryWindow window = history("u:a", new StreamPosition("not-the-epoch", 1), 10);

        assertThat(window.publications()).extracting(Publication::offset).containsExactly(1L, 2L);
        assertThat(window.epoch()).isNotEqualTo("not-the-epoch");
    }

    @Test
    void aStreamNeverWrittenHasNoPosition() {
        HistoryWindow window = history("u:nobody", null, 10);

        assertThat(window.epoch()).isNull();
        assertThat(window.top()).isZero();
        assertThat(window.publications()).isEmpty();
    }

    @Test
    void streamsCountTheirOffsetsIndependently() {
        await(engine().join("g", List.of("c")));
        publish(Target.uid("a"), "a1");
        publish(Target.uid("a"), "a2");
        publish(target(Set.of("a", "b"), Set.of("g"), false), "a3 b1 g1");

        HistoryWindow a = history("u:a", null, 10);
        HistoryWindow b = history("u:b", null, 10);
        HistoryWindow g = history("g:g", null, 10);

        assertThat(a.top()).isEqualTo(3);
        assertThat(b.top()).isEqualTo(1);
        assertThat(g.top()).as("every stream has positions, kept or not").isEqualTo(1);
        assertThat(b.publications()).extracting(p -> p.message().text()).containsExactly("a3 b1 g1");
        assertThat(a.epoch()).isNotEqualTo(b.epoch());
    }

    @Test
    void aPushToAnOfflineUidIsKeptForWhenItComesBack() {
        assertThat(publish(Target.uid("later"), "while away")).isEqualTo(PushResult.NONE);

        HistoryWindow window = history("u:later", null, 10);

        assertThat(window.publications()).extracting(p -> p.message().text()).containsExactly("while away");
        RecordingSession back = connect("later");
        publish(Target.uid("later"), "now");
        assertThat(back.awaitPublication().position()).isEqualTo(new StreamPosition(window.epoch(), 2));
    }

    @Test
    void theDeliveredPositionIsTheOneHistoryHolds() {
        await(engine().join("g", List.of("m")));
        RecordingSession member = connect("m");

        publish(Target.group("g"), "one");
        publish(Target.group("g"), "two");

        member.awaitPublication();
        Publication delivered = member.awaitPublication();
        HistoryWindow window = history("g:g", null, 10);
        assertThat(delivered.stream()).isEqualTo("g:g");
        assertThat(delivered.position()).isEqualTo(new StreamPosition(window.epoch(), window.top()));
        assertThat(engine().historyStats().appended()).isGreaterThanOrEqualTo(2);
        assertThat(engine().historyConfig()).isNotNull();
    }
}
