package dev.herald.core.engine;

import dev.herald.core.Hub;
import dev.herald.core.Message;
import dev.herald.core.PushResult;
import dev.herald.core.Target;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The single-node engine: a publish is a local delivery, complete when the call returns. */
public final class MemoryEngine implements Engine {

    private final Hub hub;

    public MemoryEngine(Hub hub) {
        this.hub = hub;
    }

    @Override
    public CompletionStage<PushResult> publish(Target target, Message message) {
        try {
            return CompletableFuture.completedFuture(hub.deliver(target, message));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public String name() {
        return "memory";
    }
}
