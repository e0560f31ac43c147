package dev.herald.core;

import dev.herald.core.auth.Identity;
import dev.herald.core.engine.Engine;
import dev.herald.core.history.HistoryWindow;
import dev.herald.core.history.Recovery;
import dev.herald.core.history.StreamPosition;
import dev.herald.core.history.Streams;
import dev.herald.core.history.Subscriber;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A positioned client's hello, for every transport: bind the connection, read each stream the client
 * names (and its uid's own) from where the client is, and let its {@link Subscriber} answer, replay and
 * go live. The connection is bound before the reads, with its subscriber holding live messages back, so
 * that a message published during the reads is either read or delivered live: none is missed, and the
 * subscriber drops the ones that are both.
 */
public final class Resumption {

    private Resumption() {}

    /**
     * Binds {@code session} (whose {@link Session#send} already goes to {@code subscriber}) to the
     * subscriber's uid and resumes the streams.
     *
     * @param since the client's position in each stream it names
     * @return completes once the answer and the replay are queued; with {@code false} if the session
     *     could not be bound (it closed meanwhile)
     */
    public static CompletionStage<Boolean> resume(
            Hub hub, Engine engine, Session session, Subscriber subscriber, Map<String, StreamPosition> since) {
        return resume(hub, engine, session, subscriber, since, null);
    }

    /**
     * As {@link #resume(Hub, Engine, Session, Subscriber, Map)}, for a connection that bound with a
     * connect token: it joins the token's groups for its lifetime.
     *
     * @param identity {@code null}: a bare uid
     */
    public static CompletionStage<Boolean> resume(
            Hub hub,
            Engine engine,
            Session session,
            Subscriber subscriber,
            Map<String, StreamPosition> since,
            Identity identity) {
        String uid = subscriber.uid();
        if (!hub.bind(session, uid, identity)) {
            return CompletableFuture.completedFuture(false);
        }
        Set<String> streams = new LinkedHashSet<>();
        streams.add(Streams.ofUid(uid));
        streams.addAll(since.keySet());
        int limit = engine.historyConfig().maxReplay();
        List<String> names = new ArrayList<>(streams);
        List<CompletableFuture<HistoryWindow>> reads = new ArrayList<>(names.size());
        for (String stream : names) {
            StreamPosition position = since.get(stream);
            // Without a position the client gets what waits for it (its uid's inbox), not history.
            reads.add((position == null ? engine.waiting(stream, limit) : engine.history(stream, position, limit))
                    .toCompletableFuture());
        }
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<Recovery> answers = new ArrayList<>(names.size());
            for (int i = 0; i < names.size(); i++) {
                String stream = names.get(i);
                answers.add(
                        Recovery.decide(stream, since.get(stream), reads.get(i).join()));
            }
            subscriber.resume(answers);
            return true;
        });
    }
}
