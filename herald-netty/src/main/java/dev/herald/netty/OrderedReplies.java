package dev.herald.netty;

import io.netty.channel.ChannelHandlerContext;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Writes the replies of pipelined requests in request order, though an engine may complete them out of
 * order: a reply that completes early waits behind the earlier ones.
 *
 * <p>Confined to the channel's event loop. The stages must not fail: callers turn failures into error
 * replies first. Replies that complete at once are written without a flush; the caller flushes (on
 * read complete). Replies that complete later are flushed here, then {@code afterLateWrites} runs.
 */
public final class OrderedReplies {

    private final ArrayDeque<CompletableFuture<?>> pending = new ArrayDeque<>();
    private final Runnable afterLateWrites;

    public OrderedReplies(Runnable afterLateWrites) {
        this.afterLateWrites = afterLateWrites;
    }

    /** Queues a reply (a message for {@code ctx.write}) behind the earlier ones. */
    public void add(ChannelHandlerContext ctx, CompletionStage<?> stage) {
        CompletableFuture<?> reply = stage.toCompletableFuture();
        if (pending.isEmpty() && reply.isDone()) {
            ctx.write(reply.join(), ctx.voidPromise());
            return;
        }
        pending.add(reply);
        if (!reply.isDone()) {
            reply.whenComplete((value, failure) -> ctx.executor().execute(() -> writeCompleted(ctx)));
        }
    }

    /** Queues a reply that is known already behind the earlier ones: written now if none waits. */
    public void addNow(ChannelHandlerContext ctx, Object reply) {
        if (pending.isEmpty()) {
            ctx.write(reply, ctx.voidPromise());
        } else {
            pending.add(CompletableFuture.completedFuture(reply));
        }
    }

    /** Whether every reply has been written. */
    public boolean isEmpty() {
        return pending.isEmpty();
    }

    private void writeCompleted(ChannelHandlerContext ctx) {
        while (!pending.isEmpty() && pending.peek().isDone()) {
            ctx.write(pending.poll().join(), ctx.voidPromise());
        }
        ctx.flush();
        afterLateWrites.run();
    }
}
