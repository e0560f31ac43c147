package dev.herald.core.engine;

import dev.herald.core.Message;
import dev.herald.core.PushResult;
import dev.herald.core.Target;
import java.util.concurrent.CompletionStage;

/**
 * How a message reaches the connections of every node. {@link MemoryEngine} serves one node; a Redis
 * engine (a later module) fans out across nodes through the same two calls.
 *
 * <p>Implementations are thread-safe and never block the caller: failures are failed stages, never
 * exceptions thrown.
 */
public interface Engine extends AutoCloseable {

    /** Delivers a message to every connection the target names, on every node. */
    CompletionStage<PushResult> publish(Target target, Message message);

    /** A short name for logs and status ("memory", "redis"). */
    String name();

    @Override
    default void close() {}
}
