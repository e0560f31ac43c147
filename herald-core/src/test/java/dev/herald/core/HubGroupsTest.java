package dev.herald.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.engine.MemoryEngine;
import dev.herald.core.testkit.RecordingSession;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HubGroupsTest {

    private final Hub hub = new Hub();
    private final MemoryEngine engine = new MemoryEngine(hub);

    /** A push through the memory engine: the hub delivers it part by part. */
    private PushResult deliver(Target target, Message message) {
        return engine.publish(target, message).toCompletableFuture().join();
    }

    private RecordingSession connect(String uid) {
        RecordingSession session = new RecordingSession();
        hub.register(session);
        hub.bind(session, uid);
        return session;
    }

    @Test
    void membershipCoversConnectionsThatComeLater() {
        hub.join("room", List.of("a"));
        RecordingSession later = connect("a");
        assertThat(deliver(Target.group("room"), Message.ofText("m"))).isEqualTo(new PushResult(1, 1));
        assertThat(later.awaitMessage()).isEqualTo("m");
    }

    @Test
    void membershipOutlivesDisconnectsUntilTheUidLeaves() {
        hub.join("room", List.of("a"));
        RecordingSession first = connect("a");
        hub.unregister(first);
        assertThat(hub.isMember("room", "a")).isTrue();
        RecordingSession second = connect("a");
        deliver(Target.group("room"), Message.ofText("1"));
        assertThat(second.awaitMessage()).isEqualTo("1");

        assertThat(hub.leave("room", List.of("a"))).isEqualTo(1);
        assertThat(deliver(Target.group("room"), Message.ofText("2")).delivered())
                .isFalse();
        second.assertNoMoreMessages();
        assertThat(hub.groupCount()).as("an empty group disappears").isZero();
    }

    @Test
    void eachConnectionReceivesOnceWhateverNamesIt() {
        hub.join("g1", List.of("a", "b"));
        hub.join("g2", List.of("b", "c"));
        RecordingSession a = connect("a");
        RecordingSession b1 = connect("b");
        RecordingSession b2 = connect("b");
        RecordingSession c = connect("c");
        RecordingSession d = connect("d");

        Target target = new Target(Set.of("a", "b"), Set.of("g1", "g2"), false, Set.of(), Set.of());
        assertThat(deliver(target, Message.ofText("m"))).isEqualTo(new PushResult(4, 3));
        for (RecordingSession session : List.of(a, b1, b2, c)) {
            assertThat(session.awaitMessage()).isEqualTo("m");
            session.assertNoMoreMessages();
        }
        d.assertNoMoreMessages();
    }

    @Test
    void exclusionsByUidAndByConnection() {
        hub.join("g", List.of("a", "b"));
        RecordingSession a = connect("a");
        RecordingSession b1 = connect("b");
        RecordingSession b2 = connect("b");
        RecordingSession c = connect("c");

        Target groupExcept = new Target(
                Set.of(), Set.of("g"), false, Set.of("a"), Set.of(b1.id().toString()));
        assertThat(deliver(groupExcept, Message.ofText("g"))).isEqualTo(new PushResult(1, 1));
        assertThat(b2.awaitMessage()).isEqualTo("g");

        Target allExcept =
                new Target(Set.of(), Set.of(), true, Set.of("c"), Set.of(b2.id().toString()));
        assertThat(deliver(allExcept, Message.ofText("all"))).isEqualTo(new PushResult(2, 2));
        assertThat(a.awaitMessage()).isEqualTo("all");
        assertThat(b1.awaitMessage()).isEqualTo("all");
        a.assertNoMoreMessages();
        b1.assertNoMoreMessages();
        b2.assertNoMoreMessages();
        c.assertNoMoreMessages();
    }

    @Test
    void queries() {
        hub.join("g", List.of("a", "b", "x"));
        connect("a");
        connect("b");
        connect("b");
        connect("c");
        assertThat(hub.online(List.of("a", "x", "c")))
                .containsExactly(
                        java.util.Map.entry("a", true),
                        java.util.Map.entry("x", false),
                        java.util.Map.entry("c", true));
        assertThat(hub.counts()).isEqualTo(new Counts(4, 3, 1));
        assertThat(hub.groupCount("g")).isEqualTo(new GroupCount("g", 3, 2));
        assertThat(hub.groupCount("none")).isEqualTo(new GroupCount("none", 0, 0));
    }

    @Test
    void pagesAreSortedAndCursorsResume() {
        for (String uid : List.of("d", "a", "c", "b", "e")) {
            connect(uid);
        }
        Page first = hub.onlineUids(null, 2);
        assertThat(first).isEqualTo(new Page(List.of("a", "b"), "b"));
        Page second = hub.onlineUids(first.next(), 2);
        assertThat(second).isEqualTo(new Page(List.of("c", "d"), "d"));
        assertThat(hub.onlineUids(second.next(), 2)).isEqualTo(new Page(List.of("e"), null));
        assertThat(hub.onlineUids("e", 2)).isEqualTo(new Page(List.of(), null));

        hub.join("g", List.of("m3", "m1", "m2"));
        assertThat(hub.members("g", null, 10)).isEqualTo(new Page(List.of("m1", "m2", "m3"), null));
        assertThat(hub.members("g", "m1", 1)).isEqualTo(new Page(List.of("m2"), "m2"));
        assertThat(hub.members("nope", null, 10).items()).isEmpty();
    }

    @Test
    void connectionIdsOfAUidInBindOrder() {
        RecordingSession first = connect("a");
        RecordingSession second = connect("a");
        connect("b");
        assertThat(hub.connectionInfos("a").stream().map(ConnectionInfo::id))
                .containsExactly(first.id().toString(), second.id().toString());
        hub.unregister(first);
        assertThat(hub.connectionInfos("a").stream().map(ConnectionInfo::id))
                .containsExactly(second.id().toString());
        assertThat(hub.connectionInfos("nobody")).isEmpty();
    }

    @Test
    void offlineUidsLeaveTheListing() {
        RecordingSession a = connect("a");
        connect("b");
        hub.unregister(a);
        assertThat(hub.onlineUids(null, 10).items()).containsExactly("b");
    }

    @Test
    void kickClosesEveryConnectionOfAUidOrOneConnection() {
        RecordingSession a1 = connect("a");
        RecordingSession a2 = connect("a");
        RecordingSession b = connect("b");

        assertThat(hub.kick(new Kick(null, a2.id().toString(), null))).isEqualTo(1);
        assertThat(a2.closeReason()).isEqualTo(CloseReason.KICKED);
        assertThat(a2.closeText()).isEqualTo("kicked");
        assertThat(a1.closeReason()).isNull();

        assertThat(hub.kick(new Kick("a", null, "logged out"))).isEqualTo(2);
        assertThat(a1.closeText()).isEqualTo("logged out");
        assertThat(b.closeReason()).isNull();
        assertThat(hub.kick(new Kick(null, "not-an-id!", null))).isZero();
    }

    @Test
    void joinCountsNewMembersAndLeaveCountsFormerOnes() {
        assertThat(hub.join("g", List.of("a", "b"))).isEqualTo(2);
        assertThat(hub.join("g", List.of("b", "c"))).isEqualTo(1);
        assertThat(hub.leave("g", List.of("a", "z"))).isEqualTo(1);
        assertThat(hub.leave("missing", List.of("a"))).isZero();
        assertThat(hub.groups(null, 10).items()).containsExactly("g");
    }
}
