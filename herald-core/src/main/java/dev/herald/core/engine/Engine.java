package dev.herald.core.engine;

import dev.herald.core.ConnectionInfo;
import dev.herald.core.Counts;
import dev.herald.core.GroupCount;
import dev.herald.core.Kick;
import dev.herald.core.Message;
import dev.herald.core.Page;
import dev.herald.core.PushResult;
import dev.herald.core.Target;
import dev.herald.core.history.HistoryConfig;
import dev.herald.core.history.HistoryStats;
import dev.herald.core.history.HistoryWindow;
import dev.herald.core.history.InboxConfig;
import dev.herald.core.history.InboxStats;
import dev.herald.core.history.StreamPosition;
import dev.herald.core.history.StreamStore;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * How messages, presence and group membership are shared by every node. {@link MemoryEngine} serves
 * one node from its {@link dev.herald.core.Hub}; a Redis engine answers the same calls for a cluster.
 *
 * <p>Implementations are thread-safe and never block the caller: every call returns a stage, and a
 * failure is a failed stage, never an exception thrown.
 */
public interface Engine extends AutoCloseable {

    /**
     * Gives a message its position in the stream of each part of the target (each uid, each group,
     * everyone), keeps it where the stream keeps history, and delivers it to every connection the
     * target names, on every node, once each: a connection named by several parts gets it through the
     * first of them, in the order uids, groups, everyone.
     */
    CompletionStage<PushResult> publish(Target target, Message message);

    /**
     * A stream's position and kept publications after {@code since} (see {@link StreamStore#read}), for
     * a client that comes back. Read after the client's connection was bound, so that what is published
     * after the read reaches it live.
     */
    CompletionStage<HistoryWindow> history(String stream, StreamPosition since, int limit);

    /**
     * What waits in a uid stream's inbox, for a client that has no position in the stream (see {@link
     * StreamStore#waiting}).
     */
    CompletionStage<HistoryWindow> waiting(String stream, int limit);

    /**
     * A client has every message of a stream up to {@code offset}: what waits in the inbox up to there
     * is done (see {@link StreamStore#ack}).
     */
    CompletionStage<Integer> ack(String stream, String epoch, long offset);

    /**
     * The receipt of a push that asked for one ({@link dev.herald.core.Receipt#view()}), or {@code null}:
     * none has this id (never made, or forgotten after {@code receipts.ttl}).
     */
    CompletionStage<Map<String, Object>> receipt(String id);

    /** What history holds, for {@code /stats} and {@code /metrics}. */
    HistoryStats historyStats();

    /** What the inboxes hold. */
    InboxStats inboxStats();

    /** The history limits in force ({@code history.*}). */
    HistoryConfig historyConfig();

    /** The inbox settings in force ({@code inbox.*}). */
    InboxConfig inboxConfig();

    /** Which of the uids have a connection anywhere, in the order given. */
    CompletionStage<Map<String, Boolean>> online(Collection<String> uids);

    /**
     * A uid's open connections, in bind order; empty if the uid is offline. Their ids ({@link
     * dev.herald.core.SessionId#toString()}) name connections in {@code exclude.connections} and {@code
     * kick}.
     */
    CompletionStage<List<ConnectionInfo>> connections(String uid);

    /** Online uids in ascending order after {@code after} ({@code null}: from the start). */
    CompletionStage<Page> onlineUids(String after, int limit);

    /** Group names in ascending order after {@code after}. */
    CompletionStage<Page> groups(String after, int limit);

    CompletionStage<Counts> counts();

    CompletionStage<GroupCount> groupCount(String group);

    /** Members of a group, online or not, in ascending order after {@code after}. */
    CompletionStage<Page> members(String group, String after, int limit);

    /** Adds uids to a group; completes with how many were new members. */
    CompletionStage<Integer> join(String group, Collection<String> uids);

    /** Removes uids from a group; completes with how many were members. */
    CompletionStage<Integer> leave(String group, Collection<String> uids);

    /** Closes the connections a kick names, on every node; completes with how many. */
    CompletionStage<Integer> kick(Kick kick);

    /**
     * Drops what history no longer keeps (expired messages, forgotten streams); the server calls it every
     * few seconds from a thread of its own. An engine whose store expires by itself does nothing.
     */
    default void sweep(long nowMillis) {}

    /** A short name for logs and status ("memory", "redis"). */
    String name();

    @Override
    default void close() {}
}
