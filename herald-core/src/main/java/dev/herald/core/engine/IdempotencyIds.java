package dev.herald.core.engine;

import dev.herald.core.PushResult;
import dev.herald.core.store.Journal;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The ids of recent pushes ({@code idempotency.*}): a push whose id and target were seen within the
 * window gets the first push's result and is not delivered again. At most {@code maxIds} are kept; past
 * that the oldest are forgotten first (their retries would be delivered again). Thread-safe.
 */
public final class IdempotencyIds {

    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(5);
    public static final int DEFAULT_MAX_IDS = 100_000;

    private record Seen(String key, long expiresAt, CompletableFuture<PushResult> result) {}

    private final long windowMillis;
    private final int maxIds;
    private final Clock clock;
    private final ConcurrentHashMap<String, Seen> seen = new ConcurrentHashMap<>();
    /** Every id once, oldest first: what expires or is forgotten first. */
    private final ConcurrentLinkedQueue<Seen> byAge = new ConcurrentLinkedQueue<>();

    private final Journal journal;

    public IdempotencyIds(Duration window, int maxIds, Clock clock) {
        this(window, maxIds, clock, Journal.NONE);
    }

    /**
     * Ids whose results are written to {@code journal} once known (a push is journaled before its result
     * is: an id is never remembered for a push that a crash lost, only possibly forgotten for one that a
     * crash kept, whose retry is then delivered again).
     */
    public IdempotencyIds(Duration window, int maxIds, Clock clock, Journal journal) {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window: must be positive, was " + window);
        }
        if (maxIds < 1) {
            throw new IllegalArgumentException("max-ids: must be at least 1, was " + maxIds);
        }
        this.windowMillis = window.toMillis();
        this.maxIds = maxIds;
        this.clock = clock;
        this.journal = journal;
    }

    /** Puts back an id the journal kept, before the server serves; an expired one is dropped. */
    public void restore(String key, long expiresAt, PushResult result) {
        Seen restored = new Seen(key, expiresAt, CompletableFuture.completedFuture(result));
        if (seen.putIfAbsent(key, restored) == null) {
            byAge.add(restored);
        }
        expire(clock.millis());
    }

    private void journalWhenDone(Seen mine) {
        if (journal.durable()) {
            mine.result.thenAccept(result -> {
                if (seen.get(mine.key) == mine) {
                    journal.idClaimed(mine.key, mine.expiresAt, result);
                }
            });
        }
    }

    /**
     * Claims an id for a push to a target.
     *
     * @return {@code null} if the push is the first with this id and target in the window: the caller
     *     pushes and completes {@code result} with what it reached; otherwise the first push's result
     *     (complete, or completing when that push is done)
     */
    public CompletableFuture<PushResult> claim(String target, String id, CompletableFuture<PushResult> result) {
        long now = clock.millis();
        expire(now);
        String key = key(target, id);
        Seen mine = new Seen(key, now + windowMillis, result);
        while (true) {
            Seen earlier = seen.putIfAbsent(key, mine);
            if (earlier == null) {
                byAge.add(mine);
                journalWhenDone(mine);
                return null;
            }
            if (earlier.expiresAt > now) {
                return earlier.result;
            }
            if (seen.replace(key, earlier, mine)) {
                byAge.add(mine);
                journalWhenDone(mine);
                return null;
            }
        }
    }

    /** Forgets a claim whose push failed, so that a retry is pushed again. */
    public void release(String target, String id, CompletableFuture<PushResult> result) {
        String key = key(target, id);
        Seen seen = this.seen.get(key);
        if (seen != null && seen.result == result) {
            this.seen.remove(key, seen);
            byAge.remove(seen);
        }
    }

    /** The key an id is remembered under: its target and itself. */
    public static String key(String target, String id) {
        return target + '\n' + id;
    }

    /** How long an id is remembered. */
    public long windowMillis() {
        return windowMillis;
    }

    private void expire(long now) {
        Seen oldest;
        while ((oldest = byAge.peek()) != null && (oldest.expiresAt <= now || seen.size() > maxIds)) {
            if (byAge.remove(oldest) && seen.remove(oldest.key, oldest)) {
                journal.idForgotten(oldest.key);
            }
        }
    }

    /** Ids remembered now. */
    public int size() {
        return seen.size();
    }
}
