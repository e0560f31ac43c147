package dev.herald.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
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
            write(ctx, reply.join());
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
            write(ctx, reply);
        } else {
            pending.add(CompletableFuture.completedFuture(reply));
        }
    }

    /**
     * Writes a reply, or releases it when the connection has closed meanwhile (an earlier answer closed
     * it, or the peer went away): a write to a closed channel with a void promise would fire its failure
     * down a pipeline that may have no handlers left (found by HttpApiFuzzTest).
     */
    private static void write(ChannelHandlerContext ctx, Object reply) {
        if (ctx.channel().isActive()) {
            ctx.write(reply, ctx.voidPromise());
        } else {
            ReferenceCountUtil.release(reply);
        }
    }

    /** Whether every reply has been written. */
    public boolean isEmpty() {
        return pending.isEmpty();
    }

    private void writeCompleted(ChannelHandlerContext ctx) {
        while (!pending.isEmpty() && pending.peek().isDone()) {
            write(ctx, pending.poll().join());
        }
        ctx.flush();
        afterLateWrites.run();
    }
}
