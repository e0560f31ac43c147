package dev.herald.core.engine;

import dev.herald.core.Receipt;
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

    public Receipts(Duration ttl, int max, Clock clock) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl: must be positive, was " + ttl);
        }
        if (max < 1) {
            throw new IllegalArgumentException("max: must be at least 1, was " + max);
        }
        this.ttlMillis = ttl.toMillis();
        this.max = max;
        this.clock = clock;
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
        return receipt;
    }

    /** The receipt with this id, or {@code null} (never made, or forgotten). */
    public Receipt find(String id) {
        expire(clock.millis());
        return byId.get(id);
    }

    private void expire(long now) {
        Receipt oldest;
        while ((oldest = byAge.peek()) != null && (oldest.createdAt() + ttlMillis <= now || byId.size() > max)) {
            if (byAge.remove(oldest)) {
                byId.remove(oldest.id(), oldest);
            }
        }
    }

    public int size() {
        return byId.size();
    }
}
