package dev.herald.core.engine;

import dev.herald.core.Receipt;
import dev.herald.core.store.Journal;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The receipts of recent pushes ({@code receipts.*}): at most {@code max}, each for {@code ttl}; past
 * either the oldest are forgotten first. Thread-safe.
 */
public final class Receipts {

    public static final Duration DEFAULT_TTL = Duration.ofHours(24);
    public static final int DEFAULT_MAX = 100_000;

    private final long ttlMillis;
    private final int max;
    private final Clock clock;
    private final ConcurrentHashMap<String, Receipt> byId = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Receipt> byAge = new ConcurrentLinkedQueue<>();
    private final AtomicLong sequence = new AtomicLong();
    private final Journal journal;

    public Receipts(Duration ttl, int max, Clock clock) {
        this(ttl, max, clock, Journal.NONE);
    }

    /** Receipts whose changes are written to {@code journal}. */
    public Receipts(Duration ttl, int max, Clock clock, Journal journal) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl: must be positive, was " + ttl);
        }
        if (max < 1) {
            throw new IllegalArgumentException("max: must be at least 1, was " + max);
        }
        this.ttlMillis = ttl.toMillis();
        this.max = max;
        this.clock = clock;
        this.journal = journal;
    }

    /** A new receipt under the push's id, or a server-made one ({@code r1}, {@code r2}, …) when it has none. */
    public Receipt open(String id) {
        long now = clock.millis();
        expire(now);
        Receipt receipt = new Receipt(id != null ? id : "r" + Long.toString(sequence.incrementAndGet(), 36), now);
        Receipt earlier = byId.put(receipt.id(), receipt);
        if (earlier != null) {
            byAge.remove(earlier);
        }
        byAge.add(receipt);
        receipt.journal(journal);
        return receipt;
    }

    /**
     * Puts back a receipt the journal kept (before the server serves), oldest first; one past the ttl is
     * forgotten. Server-made ids continue after the highest restored.
     */
    public void restore(Receipt receipt) {
        byId.put(receipt.id(), receipt);
        byAge.add(receipt);
        receipt.journal(journal);
        String id = receipt.id();
        if (id.startsWith("r")) {
            try {
                long n = Long.parseLong(id.substring(1), 36);
                sequence.accumulateAndGet(n, Math::max);
            } catch (NumberFormatException e) {
                // the backend's own id
            }
        }
        expire(clock.millis());
    }

    /** The receipt with this id, or {@code null} (never made, or forgotten). */
    public Receipt find(String id) {
        expire(clock.millis());
        return byId.get(id);
    }

    private void expire(long now) {
        Receipt oldest;
        while ((oldest = byAge.peek()) != null && (oldest.createdAt() + ttlMillis <= now || byId.size() > max)) {
            if (byAge.remove(oldest) && byId.remove(oldest.id(), oldest)) {
                journal.receiptForgotten(oldest.id());
            }
        }
    }

    public int size() {
        return byId.size();
    }
}
