package dev.herald.core.store;

import dev.herald.core.PushResult;
import dev.herald.core.Receipt;
import dev.herald.core.history.Publication;

/**
 * Where the in-memory state of streams, inboxes, idempotency ids and receipts is written down so that it
 * survives a restart ({@code store.path}). The memory structures stay the ones that answer; a journal
 * records each change to them, in the order they happen, and makes it durable in batches (group commit).
 *
 * <p>Calls that name a stream come on that stream's monitor, so a stream's changes reach the journal in
 * the order they were made. {@link #afterDurable} runs a task once everything journaled before it (by
 * any thread) is durable, in the order the tasks were given: what a client is sent from a durable stream,
 * and the backend's reply, wait for it.
 *
 * <p>{@link #NONE} journals nothing and runs tasks at once: memory only.
 */
public interface Journal extends AutoCloseable {

    /** A stream's position, written with each change to it. */
    record Position(String epoch, long top, long trimmed, boolean keeps) {}

    /** A publication was appended to a durable stream (kept in history or waiting in the inbox, or neither). */
    void appended(Publication publication, Position position);

    /** A durable stream's position changed without an append (it started keeping, or it trimmed). */
    void position(String stream, Position position);

    /** A kept or waiting publication left its stream (evicted, expired, acked, replaced). */
    void removed(String stream, long offset);

    /** A stream was forgotten, with all it kept. */
    void forgotten(String stream);

    /** An idempotency id was claimed until {@code expiresAt}; its result is {@code null} until known. */
    void idClaimed(String key, long expiresAt, PushResult result);

    /** An idempotency id is no longer remembered (expired, forgotten, or its push failed). */
    void idForgotten(String key);

    /** A receipt changed (opened, delivered, written, acked, ended). */
    void receiptChanged(Receipt receipt);

    /** A receipt is no longer kept. */
    void receiptForgotten(String id);

    /** Whether anything is written down: {@code false} for {@link #NONE}. */
    boolean durable();

    /**
     * Runs {@code task} once everything journaled before this call is durable, after the tasks given
     * before it; if writing failed, {@code task} gets the failure instead (and nothing it would have
     * released may be delivered).
     */
    void afterDurable(DurableTask task);

    /** What waits for durability: runs on the journal's writer thread (or the caller's, for {@link #NONE}). */
    @FunctionalInterface
    interface DurableTask {
        /** @param failure {@code null} when everything before it is durable; why not otherwise */
        void run(Throwable failure);
    }

    @Override
    default void close() {}

    /** No journal: memory only. */
    Journal NONE = new Journal() {
        @Override
        public void appended(Publication publication, Position position) {}

        @Override
        public void position(String stream, Position position) {}

        @Override
        public void removed(String stream, long offset) {}

        @Override
        public void forgotten(String stream) {}

        @Override
        public void idClaimed(String key, long expiresAt, PushResult result) {}

        @Override
        public void idForgotten(String key) {}

        @Override
        public void receiptChanged(Receipt receipt) {}

        @Override
        public void receiptForgotten(String id) {}

        @Override
        public boolean durable() {
            return false;
        }

        @Override
        public void afterDurable(DurableTask task) {
            task.run(null);
        }
    };
}
