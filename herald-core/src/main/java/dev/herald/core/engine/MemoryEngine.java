package dev.herald.core.engine;

import dev.herald.core.Counts;
import dev.herald.core.GroupCount;
import dev.herald.core.Hub;
import dev.herald.core.Kick;
import dev.herald.core.Message;
import dev.herald.core.Page;
import dev.herald.core.PushResult;
import dev.herald.core.Target;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** The single-node engine: every call is answered by the local {@link Hub}, complete when it returns. */
public final class MemoryEngine implements Engine {

    private final Hub hub;

    public MemoryEngine(Hub hub) {
        this.hub = hub;
    }

    @Override
    public CompletionStage<PushResult> publish(Target target, Message message) {
        // Without a supplier: this runs once per push.
        try {
            return completed(hub.deliver(target, message));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletionStage<Map<String, Boolean>> online(Collection<String> uids) {
        return now(() -> hub.online(uids));
    }

    @Override
    public CompletionStage<List<String>> connections(String uid) {
        return now(() -> hub.connectionIds(uid));
    }

    @Override
    public CompletionStage<Page> onlineUids(String after, int limit) {
        return now(() -> hub.onlineUids(after, limit));
    }

    @Override
    public CompletionStage<Page> groups(String after, int limit) {
        return now(() -> hub.groups(after, limit));
    }

    @Override
    public CompletionStage<Counts> counts() {
        return now(hub::counts);
    }

    @Override
    public CompletionStage<GroupCount> groupCount(String group) {
        return now(() -> hub.groupCount(group));
    }

    @Override
    public CompletionStage<Page> members(String group, String after, int limit) {
        return now(() -> hub.members(group, after, limit));
    }

    @Override
    public CompletionStage<Integer> join(String group, Collection<String> uids) {
        return now(() -> hub.join(group, uids));
    }

    @Override
    public CompletionStage<Integer> leave(String group, Collection<String> uids) {
        return now(() -> hub.leave(group, uids));
    }

    @Override
    public CompletionStage<Integer> kick(Kick kick) {
        return now(() -> hub.kick(kick));
    }

    @Override
    public String name() {
        return "memory";
    }

    /**
     * The stages of the common push results, completed and shared, so that a push allocates none (no
     * caller completes or obtrudes a stage an engine gave it; dependents of a completed future run at
     * once and are not kept).
     */
    private static final CompletableFuture<PushResult> REACHED_NONE =
            CompletableFuture.completedFuture(PushResult.NONE);

    private static final CompletableFuture<PushResult> REACHED_ONE =
            CompletableFuture.completedFuture(PushResult.of(1, 1));

    private static CompletionStage<PushResult> completed(PushResult result) {
        if (result == PushResult.NONE) {
            return REACHED_NONE;
        }
        return result.equals(REACHED_ONE.join()) ? REACHED_ONE : CompletableFuture.completedFuture(result);
    }

    private static <T> CompletionStage<T> now(Supplier<T> call) {
        try {
            return CompletableFuture.completedFuture(call.get());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
