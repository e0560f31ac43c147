package dev.herald.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.engine.MemoryEngine;
import dev.herald.core.testkit.RecordingSession;
import org.junit.jupiter.api.Test;

class HubTest {

    private final Hub hub = new Hub();
    private final MemoryEngine engine = new MemoryEngine(hub);

    /** A push through the memory engine: the hub delivers it part by part. */
    private PushResult deliver(Target target, Message message) {
        return engine.publish(target, message).toCompletableFuture().join();
    }

    private RecordingSession connect(String uid) {
        RecordingSession session = new RecordingSession();
        hub.register(session);
        if (uid != null) {
            assertThat(hub.bind(session, uid)).isTrue();
        }
        return session;
    }

    @Test
    void pushToUidReachesEveryConnectionOfThatUid() {
        RecordingSession tab1 = connect("u1");
        RecordingSession tab2 = connect("u1");
        RecordingSession other = connect("u2");

        PushResult result = deliver(Target.uid("u1"), Message.ofText("hello"));

        assertThat(result).isEqualTo(new PushResult(2, 1));
        assertThat(tab1.awaitMessage()).isEqualTo("hello");
        assertThat(tab2.awaitMessage()).isEqualTo("hello");
        other.assertNoMoreMessages();
    }

    @Test
    void pushToOfflineUidReachesNobody() {
        connect("u1");
        assertThat(deliver(Target.uid("nobody"), Message.ofText("x")).delivered())
                .isFalse();
    }

    @Test
    void closingAnOldTabKeepsTheNewerOneBound() {
        RecordingSession oldTab = connect("u1");
        RecordingSession newTab = connect("u1");

        hub.unregister(oldTab);

        assertThat(hub.isOnline("u1")).isTrue();
        assertThat(hub.sessionsOf("u1")).containsExactly(newTab);
        assertThat(deliver(Target.uid("u1"), Message.ofText("m")).sessions()).isEqualTo(1);
        assertThat(newTab.awaitMessage()).isEqualTo("m");
        oldTab.assertNoMoreMessages();
    }

    @Test
    void lastConnectionClosedTakesTheUidOffline() {
        RecordingSession only = connect("u1");
        hub.unregister(only);
        assertThat(hub.isOnline("u1")).isFalse();
        assertThat(hub.uidCount()).isZero();
        assertThat(hub.connectionCount()).isZero();
    }

    @Test
    void broadcastReachesBoundConnectionsOnly() {
        RecordingSession a = connect("a");
        RecordingSession b1 = connect("b");
        RecordingSession b2 = connect("b");
        RecordingSession unbound = connect(null);

        PushResult result = deliver(Target.all(), Message.ofText("all"));

        assertThat(result).isEqualTo(new PushResult(3, 2));
        assertThat(a.awaitMessage()).isEqualTo("all");
        assertThat(b1.awaitMessage()).isEqualTo("all");
        assertThat(b2.awaitMessage()).isEqualTo("all");
        unbound.assertNoMoreMessages();
    }

    @Test
    void aConnectionBindsOnce() {
        RecordingSession session = connect("first");
        assertThat(hub.bind(session, "second")).isFalse();
        assertThat(hub.uidOf(session.id())).isEqualTo("first");
        assertThat(hub.isOnline("second")).isFalse();
    }

    @Test
    void bindAfterCloseIsRefused() {
        RecordingSession session = connect(null);
        hub.unregister(session);
        assertThat(hub.bind(session, "late")).isFalse();
        assertThat(hub.isOnline("late")).isFalse();
    }

    @Test
    void aClosedSessionIsNotCountedAsReached() {
        RecordingSession open = connect("u");
        RecordingSession closed = connect("u");
        closed.close(CloseReason.SLOW);

        assertThat(deliver(Target.uid("u"), Message.ofText("m")).sessions()).isEqualTo(1);
        assertThat(open.awaitMessage()).isEqualTo("m");
    }

    @Test
    void countsDeliveries() {
        connect("u");
        connect("u");
        deliver(Target.uid("u"), Message.ofText("12345"));
        assertThat(hub.deliveryCount()).isEqualTo(2);
        assertThat(hub.deliveredBytes()).isEqualTo(10);
    }
}
