package dev.herald.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.auth.Identity;
import dev.herald.core.engine.MemoryEngine;
import dev.herald.core.testkit.RecordingSession;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Groups a connect token names: the connection is a member for its lifetime, apart from its uid's memberships. */
class HubTokenGroupsTest {

    private final Hub hub = new Hub();
    private final MemoryEngine engine = new MemoryEngine(hub);

    private PushResult deliver(Target target) {
        return engine.publish(target, Message.ofText("m")).toCompletableFuture().join();
    }

    private RecordingSession connect(String uid, String... groups) {
        RecordingSession session = new RecordingSession();
        hub.register(session);
        hub.bind(session, uid, groups.length == 0 ? null : new Identity(uid, List.of(groups), null, 0));
        return session;
    }

    @Test
    void onlyTheConnectionWhoseTokenNamesTheGroupGetsItsPushes() {
        RecordingSession member = connect("a", "room");
        RecordingSession sameUid = connect("a");

        assertThat(deliver(Target.group("room"))).isEqualTo(new PushResult(1, 1));
        assertThat(member.awaitMessage()).isEqualTo("m");
        sameUid.assertNoMoreMessages();
        assertThat(hub.members("room", null, 10).items())
                .as("the uid did not join")
                .isEmpty();
        assertThat(hub.groups(null, 10).items()).containsExactly("room");
    }

    @Test
    void aConnectionThatIsAMemberTwiceGetsThePushOnce() {
        RecordingSession member = connect("a", "room", "lobby");
        RecordingSession other = connect("b", "room");
        hub.join("room", List.of("a"));
        RecordingSession second = connect("a");

        PushResult result = deliver(new Target(Set.of("a"), Set.of("room", "lobby"), false, Set.of(), Set.of()));

        assertThat(result).isEqualTo(new PushResult(3, 2));
        assertThat(member.awaitMessage()).isEqualTo("m");
        assertThat(second.awaitMessage()).isEqualTo("m");
        assertThat(other.awaitMessage()).isEqualTo("m");
        member.assertNoMoreMessages();
        second.assertNoMoreMessages();
    }

    @Test
    void twoConnectionsOfOneUidCountAsOneUidAndExclusionsHold() {
        RecordingSession first = connect("a", "room");
        RecordingSession second = connect("a", "room");
        RecordingSession excluded = connect("c", "room");

        PushResult result = deliver(new Target(
                Set.of(), Set.of("room"), false, Set.of("c"), Set.of(second.id().toString())));

        assertThat(result).isEqualTo(new PushResult(1, 1));
        assertThat(first.awaitMessage()).isEqualTo("m");
        second.assertNoMoreMessages();
        excluded.assertNoMoreMessages();
    }

    @Test
    void theMembershipEndsWithTheConnection() {
        RecordingSession member = connect("a", "room");
        hub.unregister(member);

        assertThat(deliver(Target.group("room"))).isEqualTo(new PushResult(0, 0));
        assertThat(hub.groupCount()).isZero();
        assertThat(hub.groups(null, 10).items()).isEmpty();
    }

    @Test
    void aUidMayReadItsOwnStreamEveryonesAndItsGroups() {
        Identity token = new Identity("a", List.of("vip"), null, 0);
        hub.join("room", List.of("a"));

        assertThat(hub.mayRead("a", null, "u:a")).isTrue();
        assertThat(hub.mayRead("a", null, "u:b")).isFalse();
        assertThat(hub.mayRead("a", null, "*")).isTrue();
        assertThat(hub.mayRead("a", null, "g:room")).isTrue();
        assertThat(hub.mayRead("a", null, "g:vip")).isFalse();
        assertThat(hub.mayRead("a", token, "g:vip")).isTrue();
        assertThat(hub.mayRead("a", token, "g:other")).isFalse();
    }
}
