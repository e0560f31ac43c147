package dev.herald.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Hub;
import dev.herald.core.Message;
import dev.herald.core.PushOptions;
import dev.herald.core.PushResult;
import dev.herald.core.Receipt;
import dev.herald.core.Target;
import dev.herald.core.engine.IdempotencyIds;
import dev.herald.core.engine.MemoryEngine;
import dev.herald.core.engine.Receipts;
import dev.herald.core.history.HistoryConfig;
import dev.herald.core.history.HistoryWindow;
import dev.herald.core.history.InboxConfig;
import dev.herald.core.history.MemoryStreamStore;
import dev.herald.core.history.Publication;
import dev.herald.core.testkit.MutableClock;
import dev.herald.core.testkit.RecordingSession;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * How the engine waits for a journal: a journaled publication reaches no connection and its push no
 * reply until the journal says it is durable, and neither ever if writing it failed. The journal here
 * is a {@link Journal} that holds its tasks until the test releases them, as a disk that has not synced
 * yet would.
 */
class DurablePublishTest {

    /** A journal whose batches are written when the test says so. */
    static final class HeldJournal implements Journal {
        final List<String> changes = new ArrayList<>();
        final List<DurableTask> waiting = new ArrayList<>();

        synchronized void release(Throwable failure) {
            List<DurableTask> tasks = new ArrayList<>(waiting);
            waiting.clear();
            tasks.forEach(task -> task.run(failure));
        }

        @Override
        public synchronized void appended(Publication publication, Position position) {
            changes.add("append " + publication.stream() + " " + publication.offset());
        }

        @Override
        public synchronized void position(String stream, Position position) {
            changes.add("position " + stream + " " + position.top());
        }

        @Override
        public synchronized void removed(String stream, long offset) {
            changes.add("remove " + stream + " " + offset);
        }

        @Override
        public synchronized void forgotten(String stream) {
            changes.add("forget " + stream);
        }

        @Override
        public synchronized void idClaimed(String key, long expiresAt, PushResult result) {
            changes.add("id " + key.replace('\n', ' '));
        }

        @Override
        public synchronized void idForgotten(String key) {}

        @Override
        public synchronized void receiptChanged(Receipt receipt) {
            changes.add("receipt " + receipt.id());
        }

        @Override
        public synchronized void receiptForgotten(String id) {}

        @Override
        public boolean durable() {
            return true;
        }

        @Override
        public synchronized void afterDurable(DurableTask task) {
            waiting.add(task);
        }
    }

    private static final HistoryConfig V1 = new HistoryConfig(
            HistoryConfig.DEFAULT_SIZE,
            HistoryConfig.DEFAULT_TTL,
            HistoryConfig.DEFAULT_MAX_BYTES,
            List.of("news"),
            false,
            HistoryConfig.DEFAULT_MAX_REPLAY,
            HistoryConfig.DEFAULT_MAX_STREAMS,
            HistoryConfig.DEFAULT_META_TTL,
            HistoryConfig.Uids.V1);

    private final HeldJournal journal = new HeldJournal();
    private final Hub hub = new Hub();
    private final MutableClock clock = new MutableClock();
    private final MemoryEngine engine = new MemoryEngine(
            hub,
            new MemoryStreamStore(V1, InboxConfig.DEFAULTS, clock, journal),
            new IdempotencyIds(Duration.ofMinutes(5), 100, clock, journal),
            new Receipts(Duration.ofHours(1), 100, clock, journal));

    private RecordingSession connect(String uid) {
        RecordingSession session = new RecordingSession();
        hub.register(session);
        assertThat(hub.bind(session, uid)).isTrue();
        return session;
    }

    private CompletableFuture<PushResult> push(Target target, String text) {
        return engine.publish(target, Message.ofText(text)).toCompletableFuture();
    }

    @Test
    void aJournaledPushIsDeliveredAndAnsweredOnlyOnceDurable() {
        RecordingSession member = connect("ann");
        hub.join("news", List.of("ann"));

        CompletableFuture<PushResult> result = push(Target.group("news"), "hi");

        assertThat(journal.changes).containsExactly("append g:news 1");
        assertThat(result).isNotDone();
        member.assertNoMoreMessages();
        journal.release(null);
        assertThat(result.join().sessions()).isEqualTo(1);
        assertThat(member.awaitPublication().message().text()).isEqualTo("hi");
    }

    @Test
    void aFailedWriteDeliversNothingAndFailsThePush() {
        RecordingSession member = connect("bob");
        hub.join("news", List.of("bob"));

        CompletableFuture<PushResult> result = push(Target.group("news"), "lost");
        journal.release(new IOException("disk full"));

        Assertions.assertThatThrownBy(result::join)
                .isInstanceOf(CompletionException.class)
                .hasMessageContaining("disk full");
        member.assertNoMoreMessages();
    }

    @Test
    void aSeedPushToAStreamThatKeepsNothingNeitherWaitsNorIsJournaled() {
        RecordingSession seed = connect("cid");

        CompletableFuture<PushResult> result = push(Target.uid("cid"), "now");

        assertThat(result).isCompleted();
        assertThat(result.join().sessions()).isEqualTo(1);
        assertThat(seed.awaitPublication().message().text()).isEqualTo("now");
        assertThat(journal.changes).isEmpty();
        assertThat(journal.waiting).isEmpty();
    }

    @Test
    void aReadIsAnsweredOnlyOnceWhatItHoldsIsDurable() {
        push(Target.group("news"), "kept");

        CompletableFuture<HistoryWindow> read =
                engine.history("g:news", null, 10).toCompletableFuture();

        assertThat(read).isNotDone();
        journal.release(null);
        assertThat(read.join().publications())
                .extracting(p -> p.message().text())
                .containsExactly("kept");
    }

    @Test
    void aUidStreamIsJournaledFromTheHelloOnAndForGood() {
        RecordingSession v1 = connect("dan");
        engine.history("u:dan", null, 10); // the hello: from now on the stream keeps
        assertThat(journal.changes).containsExactly("position u:dan 0");

        CompletableFuture<PushResult> result = push(Target.uid("dan"), "one");

        assertThat(journal.changes).containsExactly("position u:dan 0", "append u:dan 1");
        assertThat(result).isNotDone();
        journal.release(null);
        assertThat(result.join().sessions()).isEqualTo(1);
        assertThat(v1.awaitPublication().offset()).isEqualTo(1);
    }

    @Test
    void aPushToSeveralPartsWaitsForItsJournaledPartAndReachesEachConnectionOnce() {
        RecordingSession both = connect("eve");
        hub.join("news", List.of("eve"));
        RecordingSession member = connect("fay");
        hub.join("news", List.of("fay"));

        // The uid part is not journaled (a seed uid), the group part is: the reply waits for it.
        CompletableFuture<PushResult> result = push(
                new Target(
                        java.util.Set.of("eve"),
                        java.util.Set.of("news"),
                        false,
                        java.util.Set.of(),
                        java.util.Set.of()),
                "x");

        assertThat(both.awaitPublication().stream()).isEqualTo("u:eve");
        assertThat(result).isNotDone();
        journal.release(null);
        assertThat(result.join().sessions()).isEqualTo(2);
        assertThat(member.awaitPublication().stream()).isEqualTo("g:news");
        both.assertNoMoreMessages();
    }

    @Test
    void anInboxMessageIsJournaledWithItsIdAndTheIdOnlyOnceItsPushIsDone() {
        CompletableFuture<PushResult> result = engine.publish(
                        Target.uid("gus"), Message.ofUtf8("later".getBytes(), new PushOptions(60_000, "a1", null)))
                .toCompletableFuture();

        assertThat(journal.changes).containsExactly("append u:gus 1");
        journal.release(null);
        assertThat(result.join().queued()).isEqualTo(1);
        assertThat(journal.changes).containsExactly("append u:gus 1", "id u:gus a1");
    }
}
