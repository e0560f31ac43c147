package dev.herald.core;

import dev.herald.core.engine.Engine;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;

/**
 * The one entry point for backends: every backend adapter (the Text port, the HTTP API, the Java
 * client's server side) turns its input into calls here, which the {@link Engine} answers for the
 * whole cluster. Thread-safe and non-blocking: every call returns a stage; failures are failed stages.
 */
public final class Pusher {

    private final Engine engine;
    private final LongAdder pushes = new LongAdder();

    public Pusher(Engine engine) {
        this.engine = engine;
    }

    /** Sends a message to a target; the stage completes with what it reached. */
    public CompletionStage<PushResult> push(Target target, Message message) {
        pushes.increment();
        return engine.publish(target, message);
    }

    public CompletionStage<Map<String, Boolean>> online(Collection<String> uids) {
        return engine.online(uids);
    }

    /** A uid's connections; their ids are for {@code exclude.connections} and {@code kick}. */
    public CompletionStage<List<ConnectionInfo>> connections(String uid) {
        return engine.connections(uid);
    }

    public CompletionStage<Page> onlineUids(String after, int limit) {
        return engine.onlineUids(after, limit);
    }

    public CompletionStage<Page> groups(String after, int limit) {
        return engine.groups(after, limit);
    }

    public CompletionStage<Counts> counts() {
        return engine.counts();
    }

    public CompletionStage<GroupCount> groupCount(String group) {
        return engine.groupCount(group);
    }

    public CompletionStage<Page> members(String group, String after, int limit) {
        return engine.members(group, after, limit);
    }

    public CompletionStage<Integer> join(String group, Collection<String> uids) {
        return engine.join(group, uids);
    }

    public CompletionStage<Integer> leave(String group, Collection<String> uids) {
        return engine.leave(group, uids);
    }

    public CompletionStage<Integer> kick(Kick kick) {
        return engine.kick(kick);
    }

    /** What became of a push that asked for a receipt, as the backend reads it; {@code null}: no such receipt. */
    public CompletionStage<Map<String, Object>> receipt(String id) {
        return engine.receipt(id);
    }

    /** Pushes accepted since start. */
    public long pushCount() {
        return pushes.sum();
    }

    public Engine engine() {
        return engine;
    }
}
