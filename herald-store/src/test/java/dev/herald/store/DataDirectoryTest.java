package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Hub;
import dev.herald.core.Message;
import dev.herald.core.PushOptions;
import dev.herald.core.PushResult;
import dev.herald.core.Target;
import dev.herald.core.engine.MemoryEngine;
import dev.herald.core.history.HistoryConfig;
import dev.herald.core.history.HistoryWindow;
import dev.herald.core.history.InboxConfig;
import dev.herald.core.history.Publication;
import dev.herald.core.history.StreamPosition;
import dev.herald.core.testkit.RecordingSession;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a data directory keeps across a close and a reopen: streams, inboxes, ids, receipts. */
class DataDirectoryTest {

    private static final HistoryConfig HISTORY = new HistoryConfig(
            5,
            Duration.ofMinutes(5),
            HistoryConfig.DEFAULT_MAX_BYTES,
            List.of("news"),
            false,
            HistoryConfig.DEFAULT_MAX_REPLAY,
            HistoryConfig.DEFAULT_MAX_STREAMS,
            HistoryConfig.DEFAULT_META_TTL,
            HistoryConfig.Uids.V1);

    @TempDir
    Path dir;

    private DataDirectory data;
    private Hub hub;
    private MemoryEngine engine;

    private void open() {
        data = openData();
        hub = new Hub();
        engine = new MemoryEngine(hub, data.streams(), data.ids(), data.receipts());
    }

    private DataDirectory openData() {
        return DataDirectory.open(
                dir,
                true,
                HISTORY,
                InboxConfig.DEFAULTS,
                Duration.ofMinutes(5),
                1000,
                Duration.ofHours(1),
                1000,
                Clock.systemUTC());
    }

    private void reopen() {
        data.close();
        open();
    }

    @AfterEach
    void close() {
        if (data != null) {
            data.close();
        }
    }

    private PushResult push(Target target, String text, PushOptions options) {
        return engine.publish(target, Message.ofUtf8(text.getBytes(), options))
                .toCompletableFuture()
                .join();
    }

    private HistoryWindow waiting(String uid) {
        return engine.waiting("u:" + uid, 100).toCompletableFuture().join();
    }

    private static List<String> texts(HistoryWindow window) {
        return window.publications().stream().map(p -> p.message().text()).toList();
    }

    @Test
    void anInboxOutlivesAReopenUnderItsEpochAndOffsetsContinue() {
        open();
        PushOptions ttl = new PushOptions(60_000, null, null);
        assertThat(push(Target.uid("carol"), "one", ttl).queued()).isEqualTo(1);
        assertThat(push(Target.uid("carol"), "two", ttl).queued()).isEqualTo(1);
        HistoryWindow before = waiting("carol");

        reopen();

        HistoryWindow after = waiting("carol");
        assertThat(texts(after)).containsExactly("one", "two");
        assertThat(after.epoch()).isEqualTo(before.epoch());
        assertThat(after.top()).isEqualTo(2);
        assertThat(after.publications().get(1).offset()).isEqualTo(2);
        push(Target.uid("carol"), "three", ttl);
        assertThat(waiting("carol").publications().get(2).offset()).isEqualTo(3);
        assertThat(data.restored().messages()).isEqualTo(2);
    }

    @Test
    void whatWasAckedDoesNotComeBack() {
        open();
        PushOptions ttl = new PushOptions(60_000, null, null);
        push(Target.uid("dave"), "one", ttl);
        push(Target.uid("dave"), "two", ttl);
        HistoryWindow window = waiting("dave");
        assertThat(engine.ack("u:dave", window.epoch(), 1).toCompletableFuture().join())
                .isEqualTo(1);

        reopen();

        assertThat(texts(waiting("dave"))).containsExactly("two");
    }

    @Test
    void groupHistoryAndWhatItTrimmedOutliveAReopen() {
        open();
        for (int i = 1; i <= 8; i++) {
            push(Target.group("news"), "n" + i, PushOptions.NONE); // history.size 5: 1 to 3 are trimmed
        }
        HistoryWindow before =
                engine.history("g:news", null, 100).toCompletableFuture().join();

        reopen();

        HistoryWindow after = engine.history("g:news", new StreamPosition(before.epoch(), 1), 100)
                .toCompletableFuture()
                .join();
        assertThat(texts(after)).containsExactly("n4", "n5", "n6", "n7", "n8");
        assertThat(after.epoch()).isEqualTo(before.epoch());
        assertThat(after.trimmed()).isEqualTo(3);
        assertThat(after.top()).isEqualTo(8);
    }

    @Test
    void aRetryAfterAReopenIsADuplicateAndIsNotDeliveredAgain() {
        open();
        PushOptions withId = new PushOptions(60_000, "order-7", null);
        PushResult first = push(Target.uid("erin"), "paid", withId);
        assertThat(first.queued()).isEqualTo(1);

        reopen();

        RecordingSession session = new RecordingSession();
        hub.register(session);
        hub.bind(session, "erin");
        PushResult retry = push(Target.uid("erin"), "paid", withId);
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.queued()).isEqualTo(1);
        session.assertNoMoreMessages();
    }

    @Test
    void aReceiptOutlivesAReopen() {
        open();
        PushResult result = push(Target.uid("frank"), "hello", new PushOptions(60_000, null, null, true));
        Map<String, Object> before =
                engine.receipt(result.receipt()).toCompletableFuture().join();

        reopen();

        Map<String, Object> after =
                engine.receipt(result.receipt()).toCompletableFuture().join();
        assertThat(after).isEqualTo(before);
        assertThat(after.toString()).contains("state=queued");
        // The restored message still reports to its receipt: a connection that comes gets it written.
        HistoryWindow window = waiting("frank");
        Publication waiting = window.publications().get(0);
        assertThat(waiting.message().receipt()).isNotNull();
        assertThat(waiting.message().receipt().id()).isEqualTo(result.receipt());
    }

    @Test
    void aDeliveryToAConnectionWaitsForTheDiskAndThenHappens() {
        open();
        RecordingSession session = new RecordingSession();
        hub.register(session);
        hub.bind(session, "gina");
        engine.history("u:gina", null, 10).toCompletableFuture().join(); // a v1 hello: the stream keeps
        PushResult result = push(Target.uid("gina"), "live", PushOptions.NONE);
        assertThat(result.sessions()).isEqualTo(1);
        assertThat(session.awaitPublication().message().text()).isEqualTo("live");
        assertThat(data.journal().stats().batches()).isPositive();

        reopen();

        HistoryWindow kept =
                engine.history("u:gina", null, 10).toCompletableFuture().join();
        assertThat(texts(kept)).containsExactly("live");
    }

    @Test
    void aDataDirectoryInUseByAnotherServerIsRefusedWithItsName() {
        open();
        org.assertj.core.api.Assertions.assertThatThrownBy(this::openData)
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("cannot open the data directory " + dir)
                .hasMessageContaining("lock");
    }

    @Test
    void whatTableFilesHoldAndWhatTheLogAddsAfterThemAreRestoredTogether() throws Exception {
        open();
        PushOptions ttl = new PushOptions(60_000, null, null);
        for (int i = 1; i <= 300; i++) {
            push(Target.uid("u" + (i % 30)), "m" + i, ttl); // 10 waiting for each of 30 uids
            push(Target.group("news"), "n" + i, PushOptions.NONE); // history.size 5: 295 trimmed
        }
        data.journal().flush(); // into table files: the vector memtable sorted, deletions and all
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir)) {
            assertThat(files.map(Path::toString)).anyMatch(name -> name.endsWith(".sst"));
        }
        HistoryWindow u7 = waiting("u7");
        engine.ack("u:u7", u7.epoch(), u7.publications().get(4).offset())
                .toCompletableFuture()
                .join();
        push(Target.group("news"), "n301", PushOptions.NONE);

        reopen();

        assertThat(texts(waiting("u7"))).containsExactly("m157", "m187", "m217", "m247", "m277");
        assertThat(texts(waiting("u0"))).hasSize(10).startsWith("m30").endsWith("m300");
        HistoryWindow news =
                engine.history("g:news", null, 100).toCompletableFuture().join();
        assertThat(texts(news)).containsExactly("n297", "n298", "n299", "n300", "n301");
        assertThat(news.trimmed()).isEqualTo(296);
        assertThat(news.top()).isEqualTo(301);
        assertThat(data.restored().streams()).isEqualTo(31);
    }

    @Test
    void aSeedPushToAStreamThatKeepsNothingIsNotWritten() {
        open();
        RecordingSession session = new RecordingSession();
        hub.register(session);
        hub.bind(session, "hank");
        assertThat(push(Target.uid("hank"), "raw", PushOptions.NONE).sessions()).isEqualTo(1);
        assertThat(data.journal().stats().changes()).isZero();
    }
}
