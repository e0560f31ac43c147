package dev.herald.netty.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Message;
import dev.herald.core.PushResult;
import dev.herald.core.Pusher;
import dev.herald.core.Target;
import dev.herald.core.engine.Engine;
import dev.herald.protocol.backend.CommandLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class BackendCommandHandlerTest {

    /** An engine whose publishes complete when the test says, as a remote engine's would. */
    private static final class DeferredEngine implements Engine {
        final List<CompletableFuture<PushResult>> pending = new ArrayList<>();
        final List<Message> published = new ArrayList<>();

        @Override
        public CompletionStage<PushResult> publish(Target target, Message message) {
            CompletableFuture<PushResult> future = new CompletableFuture<>();
            pending.add(future);
            published.add(message);
            return future;
        }

        @Override
        public String name() {
            return "deferred";
        }

        @Override
        public CompletionStage<dev.herald.core.history.HistoryWindow> history(
                String stream, dev.herald.core.history.StreamPosition since, int limit) {
            return unused();
        }

        @Override
        public dev.herald.core.history.HistoryStats historyStats() {
            return new dev.herald.core.history.HistoryStats(0, 0, 0, 0, 0, 0, 0, 0);
        }

        @Override
        public CompletionStage<dev.herald.core.history.HistoryWindow> waiting(String stream, int limit) {
            return unused();
        }

        @Override
        public CompletionStage<Integer> ack(String stream, String epoch, long offset) {
            return unused();
        }

        @Override
        public CompletionStage<java.util.Map<String, Object>> receipt(String id) {
            return unused();
        }

        @Override
        public dev.herald.core.history.InboxStats inboxStats() {
            return new dev.herald.core.history.InboxStats(0, 0, 0, 0, 0, 0, 0);
        }

        @Override
        public dev.herald.core.history.InboxConfig inboxConfig() {
            return dev.herald.core.history.InboxConfig.DEFAULTS;
        }

        @Override
        public dev.herald.core.history.HistoryConfig historyConfig() {
            return dev.herald.core.history.HistoryConfig.DEFAULTS;
        }

        private static <T> CompletionStage<T> unused() {
            return CompletableFuture.failedFuture(new UnsupportedOperationException());
        }

        @Override
        public CompletionStage<java.util.Map<String, Boolean>> online(java.util.Collection<String> uids) {
            return unused();
        }

        @Override
        public CompletionStage<List<dev.herald.core.ConnectionInfo>> connections(String uid) {
            return unused();
        }

        @Override
        public CompletionStage<dev.herald.core.Page> onlineUids(String after, int limit) {
            return unused();
        }

        @Override
        public CompletionStage<dev.herald.core.Page> groups(String after, int limit) {
            return unused();
        }

        @Override
        public CompletionStage<dev.herald.core.Counts> counts() {
            return unused();
        }

        @Override
        public CompletionStage<dev.herald.core.GroupCount> groupCount(String group) {
            return unused();
        }

        @Override
        public CompletionStage<dev.herald.core.Page> members(String group, String after, int limit) {
            return unused();
        }

        @Override
        public CompletionStage<Integer> join(String group, java.util.Collection<String> uids) {
            return unused();
        }

        @Override
        public CompletionStage<Integer> leave(String group, java.util.Collection<String> uids) {
            return unused();
        }

        @Override
        public CompletionStage<Integer> kick(dev.herald.core.Kick kick) {
            return unused();
        }
    }

    private final DeferredEngine engine = new DeferredEngine();
    private final TextPortStats stats = new TextPortStats();
    private final Pusher pusher = new Pusher(engine);
    private final EmbeddedChannel channel = new EmbeddedChannel(new TextPortInitializer(
            pusher,
            new CommandExecutor(pusher, Map::of),
            CommandLimits.defaults(),
            new TextPortConfig("127.0.0.1", 0, 1024),
            stats));

    private void write(String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    private List<String> replies() {
        channel.runPendingTasks();
        StringBuilder all = new StringBuilder();
        for (ByteBuf out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
            all.append(out.toString(StandardCharsets.UTF_8));
            out.release();
        }
        return all.toString().lines().toList();
    }

    @Test
    void repliesKeepRequestOrderWhenPushesCompleteOutOfOrder() {
        write("{\"uid\":\"a\"}\nbad\n{\"uid\":\"b\"}\n{\"uid\":\"c\"}\n");
        assertThat(engine.pending).hasSize(3);
        assertThat(replies()).as("nothing before the first push completes").isEmpty();

        engine.pending.get(2).complete(new PushResult(1, 1));
        engine.pending.get(1).complete(PushResult.NONE);
        assertThat(replies()).isEmpty();

        engine.pending.get(0).complete(new PushResult(2, 1));
        assertThat(replies())
                .satisfiesExactly(
                        first -> assertThat(first).isEqualTo("ok"),
                        second -> assertThat(second).startsWith("error invalid_json "),
                        third -> assertThat(third).isEqualTo("fail"),
                        fourth -> assertThat(fourth).isEqualTo("ok"));
        assertThat(stats.ok()).isEqualTo(2);
        assertThat(stats.fail()).isEqualTo(1);
    }

    @Test
    void commandRepliesAreOrderedWithSeedReplies() {
        write("{\"uid\":\"a\"}\npush {\"uids\":[\"a\"],\"data\":\"x\"}\npush {}\n");
        assertThat(replies()).isEmpty();
        engine.pending.get(1).complete(new PushResult(2, 1));
        assertThat(replies())
                .as("the command waits for the seed line before it")
                .isEmpty();
        engine.pending.get(0).complete(PushResult.NONE);
        assertThat(replies())
                .satisfiesExactly(
                        first -> assertThat(first).isEqualTo("fail"),
                        second -> assertThat(second).isEqualTo("{\"connections\":2,\"uids\":1}"),
                        third -> assertThat(third).startsWith("{\"error\":{\"code\":\"missing_field\""));
        assertThat(stats.ok()).isEqualTo(1);
        assertThat(stats.fail()).isEqualTo(1);
    }

    /**
     * Each write is one read of the pipeline, so a line split across TCP segments is split here for
     * certain, which a socket test can only make likely by pausing between writes.
     */
    @Test
    void aLineSplitAcrossReadsIsOneLine() {
        write("{\"uid\":\"spl");
        write("it\",\"v\":\"\u8fdb\u5ea6\"}");
        assertThat(engine.published).isEmpty();
        write("\n");
        assertThat(engine.published)
                .singleElement()
                .extracting(Message::text)
                .isEqualTo("{\"uid\":\"split\",\"v\":\"\u8fdb\u5ea6\"}");
        engine.pending.get(0).complete(new PushResult(1, 1));
        assertThat(replies()).containsExactly("ok");
    }

    @Test
    void aLineOfExactlyTheLimitIsAcceptedWhenItsCrlfIsSplitAcrossReads() {
        String line = "{\"uid\":\"a\",\"x\":\"" + "x".repeat(1024 - 18) + "\"}";
        assertThat(line).hasSize(1024);
        write(line + "\r");
        write("\n");
        assertThat(engine.published).singleElement().extracting(Message::text).isEqualTo(line);
        engine.pending.get(0).complete(new PushResult(1, 1));
        assertThat(replies()).containsExactly("ok");
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void aFailedPushIsAnInternalErrorAndTheConnectionStays() {
        write("{\"uid\":\"a\"}\n");
        engine.pending.get(0).completeExceptionally(new IllegalStateException("engine down"));
        assertThat(replies()).containsExactly("error internal push failed");
        write("{\"uid\":\"a\"}\n");
        engine.pending.get(1).complete(new PushResult(1, 1));
        assertThat(replies()).containsExactly("ok");
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void anOverlongLineIsAnsweredAfterTheEarlierRepliesThenTheConnectionCloses() {
        write("{\"uid\":\"a\"}\n" + "x".repeat(2000));
        assertThat(channel.isActive()).as("waits for the earlier reply").isTrue();
        engine.pending.get(0).complete(new PushResult(1, 1));
        List<String> replies = replies();
        assertThat(replies).hasSize(2);
        assertThat(replies.get(0)).isEqualTo("ok");
        assertThat(replies.get(1)).startsWith("error line_too_long");
        channel.runPendingTasks();
        assertThat(channel.isActive()).isFalse();
    }

    @Test
    void drainAnswersWhatWasReadThenCloses() {
        write("{\"uid\":\"a\"}\n");
        channel.pipeline().fireUserEventTriggered(BackendCommandHandler.DRAIN);
        assertThat(channel.config().isAutoRead()).isFalse();
        assertThat(channel.isActive()).isTrue();
        engine.pending.get(0).complete(new PushResult(1, 1));
        assertThat(replies()).containsExactly("ok");
        channel.runPendingTasks();
        assertThat(channel.isActive()).isFalse();
    }
}
