package dev.herald.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.engine.MemoryEngine;
import dev.herald.core.engine.Receipts;
import dev.herald.core.history.HistoryConfig;
import dev.herald.core.history.InboxConfig;
import dev.herald.core.history.MemoryStreamStore;
import dev.herald.core.testkit.MutableClock;
import dev.herald.core.testkit.RecordingSession;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Receipts: what the engine and the store report to them, and how long they are kept. */
class ReceiptTest {

    private final MutableClock clock = new MutableClock();
    private final Hub hub = new Hub();
    private final Receipts receipts = new Receipts(Duration.ofMinutes(10), 3, clock);
    private final MemoryEngine engine = new MemoryEngine(
            hub,
            new MemoryStreamStore(
                    HistoryConfig.DEFAULTS,
                    new InboxConfig(Duration.ZERO, Duration.ZERO, Duration.ofHours(1), 1, 1 << 20, false),
                    clock),
            new dev.herald.core.engine.IdempotencyIds(Duration.ofMinutes(5), 100, clock),
            receipts);

    private PushResult push(Target target, String text, PushOptions options) {
        return engine.publish(target, Message.ofUtf8(text.getBytes(), options))
                .toCompletableFuture()
                .join();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> uid(String receipt, String uid) {
        Map<String, Object> view = engine.receipt(receipt).toCompletableFuture().join();
        return (Map<String, Object>) ((Map<String, Object>) view.get("uids")).get(uid);
    }

    @Test
    void aPushToAnOnlineAndAnOfflineUidIsSentToOneAndQueuedForTheOther() {
        RecordingSession online = new RecordingSession();
        hub.register(online);
        hub.bind(online, "on");

        PushResult result = push(Target.uid("on"), "x", new PushOptions(60_000, null, null, true));
        PushResult offline = push(
                new Target(
                        java.util.Set.of("off", "gone"),
                        java.util.Set.of(),
                        false,
                        java.util.Set.of(),
                        java.util.Set.of()),
                "y",
                new PushOptions(60_000, null, null, true));

        assertThat(result.receipt()).isEqualTo("r1");
        assertThat(uid("r1", "on")).containsEntry("state", "sent").containsEntry("stream", "u:on");
        assertThat(offline.queued()).isEqualTo(2);
        assertThat(uid(offline.receipt(), "off"))
                .containsEntry("state", "queued")
                .containsEntry("offset", 1L);
    }

    @Test
    void writesAndAcksAreListedWithTheirConnections() {
        PushResult result = push(Target.uid("a"), "x", new PushOptions(0, "order-1", null, true));
        Receipt receipt = receiptOf(result.receipt());

        receipt.written("a", "2s", 100);
        receipt.acked("a", "2s", 200);
        receipt.written("b", "3t", 300); // a uid the push did not name: only counted

        assertThat(uid("order-1", "a"))
                .containsEntry("state", "acked")
                .containsEntry("written", List.of(Map.of("connection", "2s", "at", 100L)))
                .containsEntry("acked", List.of(Map.of("connection", "2s", "at", 200L)));
        assertThat(engine.receipt("order-1").toCompletableFuture().join().get("others"))
                .isEqualTo(Map.of("written", 1L, "acked", 0L));
    }

    private Receipt receiptOf(String id) {
        return receipts.find(id);
    }

    @Test
    void aWaitingMessagePushedOutOfAFullInboxIsEvictedAndOneThatTimesOutExpired() {
        PushResult first = push(Target.uid("a"), "1", new PushOptions(60_000, null, null, true));
        PushResult second = push(Target.uid("a"), "2", new PushOptions(1_000, null, null, true)); // inbox holds 1

        assertThat(uid(first.receipt(), "a")).containsEntry("state", "evicted");
        clock.advance(Duration.ofSeconds(2));
        engine.sweep(clock.millis());
        assertThat(uid(second.receipt(), "a")).containsEntry("state", "expired");
    }

    @Test
    void receiptsAreForgottenAfterTheirTtlOrPastTheirNumber() {
        for (int i = 0; i < 4; i++) {
            push(Target.uid("a"), "m", new PushOptions(0, null, null, true));
        }
        assertThat(engine.receipt("r1").toCompletableFuture().join())
                .as("past max 3")
                .isNull();
        assertThat(engine.receipt("r4").toCompletableFuture().join()).isNotNull();
        clock.advance(Duration.ofMinutes(11));
        assertThat(engine.receipt("r4").toCompletableFuture().join())
                .as("past the ttl")
                .isNull();
    }

    @Test
    void aRetriedIdKeepsTheFirstPushsReceipt() {
        PushResult first = push(Target.uid("a"), "x", new PushOptions(60_000, "once", null, true));
        PushResult retry = push(Target.uid("a"), "x", new PushOptions(60_000, "once", null, true));

        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.receipt()).isEqualTo(first.receipt()).isEqualTo("once");
        assertThat(uid("once", "a")).as("still the first push's receipt").containsEntry("state", "queued");
        assertThat(receipts.size()).isEqualTo(1);
    }
}
