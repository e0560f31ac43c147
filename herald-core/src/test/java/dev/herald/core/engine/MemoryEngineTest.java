package dev.herald.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Hub;
import dev.herald.core.Message;
import dev.herald.core.PushResult;
import dev.herald.core.Target;
import dev.herald.core.testkit.RecordingSession;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class MemoryEngineTest {

    private final Hub hub = new Hub();
    private final MemoryEngine engine = new MemoryEngine(hub);

    private void connect(String uid) {
        RecordingSession session = new RecordingSession();
        hub.register(session);
        assertThat(hub.bind(session, uid)).isTrue();
    }

    @Test
    void aPushAnswersWithACompletedStageOfItsCounts() {
        connect("one");
        connect("two");
        connect("two");

        assertThat(engine.publish(Target.uid("one"), Message.ofText("m")).toCompletableFuture())
                .isCompletedWithValue(new PushResult(1, 1));
        assertThat(engine.publish(Target.uid("two"), Message.ofText("m")).toCompletableFuture())
                .isCompletedWithValue(new PushResult(2, 1));
        assertThat(engine.publish(Target.uid("nobody"), Message.ofText("m")).toCompletableFuture())
                .isCompletedWithValue(PushResult.NONE);
    }

    /** The common answers are shared stages: a caller that tries to complete one changes nothing. */
    @Test
    void theSharedStagesOfTheCommonAnswersCannotBeChangedByACaller() {
        connect("one");
        CompletableFuture<PushResult> first =
                engine.publish(Target.uid("one"), Message.ofText("m")).toCompletableFuture();

        assertThat(first.complete(new PushResult(7, 7))).isFalse();
        assertThat(first.cancel(true)).isFalse();
        first.thenApply(PushResult::sessions); // a dependent of a completed stage runs at once

        CompletableFuture<PushResult> second =
                engine.publish(Target.uid("one"), Message.ofText("n")).toCompletableFuture();
        assertThat(second).isSameAs(first).isCompletedWithValue(new PushResult(1, 1));
        assertThat(engine.publish(Target.uid("nobody"), Message.ofText("m")).toCompletableFuture())
                .isSameAs(engine.publish(Target.uid("nobody"), Message.ofText("n"))
                        .toCompletableFuture());
    }
}
