package dev.herald.core.engine;

import dev.herald.core.ConnectionInfo;
import dev.herald.core.Counts;
import dev.herald.core.GroupCount;
import dev.herald.core.Hub;
import dev.herald.core.Kick;
import dev.herald.core.Message;
import dev.herald.core.Page;
import dev.herald.core.PushResult;
import dev.herald.core.Reach;
import dev.herald.core.Receipt;
import dev.herald.core.SessionId;
import dev.herald.core.Target;
import dev.herald.core.history.HistoryConfig;
import dev.herald.core.history.HistoryStats;
import dev.herald.core.history.HistoryWindow;
import dev.herald.core.history.InboxConfig;
import dev.herald.core.history.InboxStats;
import dev.herald.core.history.MemoryStreamStore;
import dev.herald.core.history.Publication;
import dev.herald.core.history.StreamPosition;
import dev.herald.core.history.StreamStore;
import dev.herald.core.history.Streams;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The single-node engine: every call is answered by the local {@link Hub} and a {@link StreamStore},
 * complete when it returns.
 */
public final class MemoryEngine implements Engine {

    private final Hub hub;
    private final StreamStore streams;
    private final IdempotencyIds ids;
    private final Receipts receipts;

    /** The delivery of a push to one uid: a constant, so that the seed's push allocates no lambda. */
    private final StreamStore.Delivery<String, PushResult> toOneUid;

    /** The delivery of a part of a push to a durable store ({@link #deliverDurably}). */
    private final StreamStore.Delivery<Fanout, Void> deferred = this::deliverDurably;

    /** The delivery of one part of any other push. */
    private static final StreamStore.Delivery<Fanout, Void> TO_PART = (publication, fanout) -> {
        fanout.deliver(publication);
        return null;
    };

    /** A hub whose streams keep the default history ({@link HistoryConfig#DEFAULTS}) in memory. */
    public MemoryEngine(Hub hub) {
        this(hub, new MemoryStreamStore(HistoryConfig.DEFAULTS));
    }

    public MemoryEngine(Hub hub, StreamStore streams) {
        this(
                hub,
                streams,
                new IdempotencyIds(IdempotencyIds.DEFAULT_WINDOW, IdempotencyIds.DEFAULT_MAX_IDS, Clock.systemUTC()),
                new Receipts(Receipts.DEFAULT_TTL, Receipts.DEFAULT_MAX, Clock.systemUTC()));
    }

    public MemoryEngine(Hub hub, StreamStore streams, IdempotencyIds ids, Receipts receipts) {
        this.hub = hub;
        this.streams = streams;
        this.ids = ids;
        this.receipts = receipts;
        this.toOneUid = (publication, uid) -> {
            int reached = deliverToUid(hub, uid, publication, Set.of());
            if (reached == 0 && publication.hasTtl()) {
                return publication.waiting() ? PushResult.of(0, 0, 1, 0) : PushResult.of(0, 0, 0, 1);
            }
            return PushResult.of(reached, reached > 0 ? 1 : 0);
        };
    }

    @Override
    public CompletionStage<PushResult> publish(Target target, Message message) {
        String id = message.options().id();
        if (id == null) {
            return publishTracked(target, message);
        }
        // The id first: a retry gets the first push's result (and receipt) and opens nothing.
        CompletableFuture<PushResult> result = new CompletableFuture<>();
        String scope = target.canonical();
        CompletableFuture<PushResult> first = ids.claim(scope, id, result);
        if (first != null) {
            return first.thenApply(PushResult::asDuplicate);
        }
        message.idKey(IdempotencyIds.key(scope, id));
        publishTracked(target, message).whenComplete((reached, failure) -> {
            if (failure != null) {
                ids.release(scope, id, result); // a failed push may be retried
                result.completeExceptionally(failure);
            } else {
                result.complete(reached);
            }
        });
        return result;
    }

    /** Publishes, with a receipt when the push asked for one. */
    private CompletionStage<PushResult> publishTracked(Target target, Message message) {
        if (!message.options().receipt()) {
            return publishOnce(target, message);
        }
        Receipt receipt = receipts.open(message.options().id());
        message.track(receipt);
        return publishOnce(target, message).thenApply(result -> result.withReceipt(receipt.id()));
    }

    private CompletionStage<PushResult> publishOnce(Target target, Message message) {
        if (streams.durable()) {
            return publishDurably(target, message);
        }
        // Without a supplier: this runs once per push.
        try {
            if (target.isSingleUid()) {
                String uid = target.singleUid();
                return completed(streams.appendToUid(uid, message, Set.of(), uid, toOneUid));
            }
            Fanout fanout = new Fanout(hub, target);
            for (String uid : target.uids()) {
                fanout.uid = uid;
                streams.appendToUid(uid, message, target.exceptUids(), fanout, TO_PART);
            }
            fanout.uid = null;
            for (String group : target.groups()) {
                fanout.group = group;
                streams.append(Streams.ofGroup(group), message, target.exceptUids(), fanout, TO_PART);
            }
            fanout.group = null;
            if (target.toAll()) {
                streams.append(Streams.ALL, message, target.exceptUids(), fanout, TO_PART);
            }
            return completed(fanout.reach.result());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * A push to a store that writes streams down: a part whose publication is journaled is delivered
     * once it is durable, on the journal's thread, and so is every later part of the push (one thread at
     * a time counts what it reached); the result completes after the last part, so that a positive reply
     * means the message is on disk.
     */
    private CompletionStage<PushResult> publishDurably(Target target, Message message) {
        try {
            Fanout fanout = new Fanout(hub, target);
            for (String uid : target.uids()) {
                streams.appendToUid(uid, message, target.exceptUids(), fanout, deferred);
            }
            for (String group : target.groups()) {
                streams.append(Streams.ofGroup(group), message, target.exceptUids(), fanout, deferred);
            }
            if (target.toAll()) {
                streams.append(Streams.ALL, message, target.exceptUids(), fanout, deferred);
            }
            if (!fanout.deferred) {
                return completed(fanout.reach.result());
            }
            CompletableFuture<PushResult> result = new CompletableFuture<>();
            streams.afterDurable(failure -> {
                if (failure != null) {
                    result.completeExceptionally(failure);
                } else {
                    result.complete(fanout.reach.result());
                }
            });
            return result;
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** A part's delivery in {@link #publishDurably}: now, or once durable. */
    private Void deliverDurably(Publication publication, Fanout fanout) {
        if (publication.isJournaled()) {
            fanout.deferred = true;
        }
        if (!fanout.deferred) {
            fanout.deliverPart(publication);
        } else {
            streams.afterDurable(failure -> {
                if (failure == null) {
                    fanout.deliverPart(publication); // a failed write delivers nothing
                }
            });
        }
        return null;
    }

    /**
     * Delivers a publication to one uid's connections and tells its receipt, if it has one: named before
     * the delivery (so that the writes it causes are listed), what it reached after.
     */
    private static int deliverToUid(Hub hub, String uid, Publication publication, Set<SessionId> exceptSessions) {
        Receipt receipt = publication.message().receipt();
        if (receipt == null) {
            return hub.deliverToUid(uid, publication, exceptSessions);
        }
        receipt.delivered(uid, publication.stream(), publication.epoch(), publication.offset(), 0, true);
        int reached = hub.deliverToUid(uid, publication, exceptSessions);
        receipt.delivered(
                uid, publication.stream(), publication.epoch(), publication.offset(), reached, publication.waiting());
        return reached;
    }

    /** One push's delivery, part by part: which part is being appended, and what the push reached. */
    private static final class Fanout {
        final Hub hub;
        final Reach reach;
        final Set<SessionId> exceptSessions;
        String uid;
        String group;
        /** Whether a part waits for the journal: from then on, every part is delivered on its thread. */
        boolean deferred;

        Fanout(Hub hub, Target target) {
            this.hub = hub;
            int parts = target.uids().size() + target.groups().size() + (target.toAll() ? 1 : 0);
            this.reach = new Reach(parts);
            this.exceptSessions = SessionId.parseAll(target.exceptSessions());
        }

        void deliver(Publication publication) {
            if (uid != null) {
                if (reach.takes(uid, publication)) {
                    int reached = deliverToUid(hub, uid, publication, exceptSessions);
                    reach.add(reached);
                    if (reached == 0) {
                        reach.offline(publication);
                    }
                }
            } else if (group != null) {
                hub.deliverToGroup(group, publication, exceptSessions, reach);
            } else {
                hub.deliverToAll(publication, exceptSessions, reach);
            }
        }

        /** {@link #deliver} to the part the publication's stream names. */
        void deliverPart(Publication publication) {
            String stream = publication.stream();
            uid = Streams.uid(stream);
            group = uid == null ? Streams.group(stream) : null;
            deliver(publication);
        }
    }

    @Override
    public CompletionStage<HistoryWindow> history(String stream, StreamPosition since, int limit) {
        return whenDurable(() -> streams.read(stream, since, limit));
    }

    @Override
    public CompletionStage<HistoryWindow> waiting(String stream, int limit) {
        return whenDurable(() -> streams.waiting(stream, limit));
    }

    /**
     * A read, answered once what it holds is durable: a client is never sent a message that a crash
     * could take back (and whose offset a restart would give again).
     */
    private CompletionStage<HistoryWindow> whenDurable(Supplier<HistoryWindow> read) {
        if (!streams.durable()) {
            return now(read);
        }
        HistoryWindow window;
        try {
            window = read.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<HistoryWindow> result = new CompletableFuture<>();
        streams.afterDurable(failure -> {
            if (failure != null) {
                result.completeExceptionally(failure);
            } else {
                result.complete(window);
            }
        });
        return result;
    }

    @Override
    public CompletionStage<Integer> ack(String stream, String epoch, long offset) {
        return now(() -> streams.ack(stream, epoch, offset));
    }

    @Override
    public CompletionStage<Map<String, Object>> receipt(String id) {
        return now(() -> {
            Receipt receipt = receipts.find(id);
            return receipt == null ? null : receipt.view();
        });
    }

    @Override
    public HistoryStats historyStats() {
        return streams.stats();
    }

    @Override
    public InboxStats inboxStats() {
        return streams.inboxStats();
    }

    @Override
    public InboxConfig inboxConfig() {
        return streams.inboxConfig();
    }

    @Override
    public HistoryConfig historyConfig() {
        return streams.config();
    }

    @Override
    public void sweep(long nowMillis) {
        streams.sweep(nowMillis);
    }

    @Override
    public CompletionStage<Map<String, Boolean>> online(Collection<String> uids) {
        return now(() -> hub.online(uids));
    }

    @Override
    public CompletionStage<List<ConnectionInfo>> connections(String uid) {
        return now(() -> hub.connectionInfos(uid));
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
