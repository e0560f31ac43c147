package dev.herald.core;

import dev.herald.core.engine.Engine;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;

/**
 * The one entry point for backends: every backend adapter (the Text port, the HTTP API) turns its
 * input into calls here. Thread-safe and non-blocking.
 */
public final class Pusher {

    private final Engine engine;
    private final LongAdder pushes = new LongAdder();

    public Pusher(Engine engine) {
        this.engine = engine;
    }

    /** Sends a message to a target; the stage completes with what it reached, or fails. */
    public CompletionStage<PushResult> push(Target target, Message message) {
        pushes.increment();
        return engine.publish(target, message);
    }

    /** Pushes accepted since start. */
    public long pushCount() {
        return pushes.sum();
    }

    public Engine engine() {
        return engine;
    }
}
