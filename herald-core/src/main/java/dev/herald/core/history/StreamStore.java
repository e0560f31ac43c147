package dev.herald.core.history;

import dev.herald.core.Message;
import dev.herald.core.store.Journal;
import java.util.Set;

/**
 * Where streams keep their positions and messages: {@link MemoryStreamStore} in this process; a
 * durable store on disk and a Redis store for a cluster behind the same calls.
 *
 * <p>Thread-safe. {@link #append} runs its delivery while no other append to the same stream can run,
 * so that every connection sees a stream's messages in offset order, and a client that reads the stream
 * ({@link #read}) after it was bound misses nothing: a message is either in what it read, or is
 * delivered to it live after the read.
 */
public interface StreamStore extends AutoCloseable {

    /** Runs a publication's live delivery inside {@link #append}; a constant, so that a push allocates none. */
    @FunctionalInterface
    interface Delivery<C, R> {
        R deliver(Publication publication, C context);
    }

    /**
     * Gives a message the next position in a stream, keeps it if the stream keeps history, and runs
     * {@code delivery} with it before any later message of the stream is appended.
     *
     * @param exceptUids uids that never receive it (kept with it, for replays)
     * @return what {@code delivery} returned
     */
    <C, R> R append(String stream, Message message, Set<String> exceptUids, C context, Delivery<C, R> delivery);

    /**
     * {@link #append} to the stream of one uid ({@code u:<uid>}): the seed's push, which a store may
     * serve without building the stream's name.
     */
    default <C, R> R appendToUid(
            String uid, Message message, Set<String> exceptUids, C context, Delivery<C, R> delivery) {
        return append(Streams.ofUid(uid), message, exceptUids, context, delivery);
    }

    /**
     * A stream's position and its kept publications after {@code since} (all kept ones if {@code since}
     * is {@code null}, names another epoch or an offset past the stream's last): at most {@code limit},
     * the newest of them.
     */
    HistoryWindow read(String stream, StreamPosition since, int limit);

    /**
     * What waits in a uid stream's inbox (messages with a ttl, not acked, not expired), for a client that
     * has no position in the stream: at most {@code limit}, the newest of them, oldest first.
     */
    HistoryWindow waiting(String stream, int limit);

    /**
     * A client has every message of the stream up to {@code offset} (in {@code epoch}): what waits for it
     * in the inbox up to there is done.
     *
     * @return how many waiting messages that took out of the inbox
     */
    int ack(String stream, String epoch, long offset);

    /** Drops expired messages and forgotten streams; the server calls it every few seconds. */
    void sweep(long nowMillis);

    /** Sizes and counters, for {@code /stats} and {@code /metrics}. */
    HistoryStats stats();

    /** What the inboxes hold, for {@code /stats} and {@code /metrics}. */
    InboxStats inboxStats();

    /**
     * Whether the store writes its streams down ({@code store.path}): then a publication that is
     * {@link Publication#isJournaled() journaled} may be delivered, and a read that holds one may be
     * answered, only from {@link #afterDurable}.
     */
    default boolean durable() {
        return false;
    }

    /**
     * Runs {@code task} once everything this store journaled before the call is durable, in call order
     * (at once, in a store that writes nothing).
     */
    default void afterDurable(Journal.DurableTask task) {
        task.run(null);
    }

    /** The history limits this store keeps. */
    HistoryConfig config();

    /** The inbox limits this store keeps. */
    InboxConfig inboxConfig();

    @Override
    default void close() {}
}
