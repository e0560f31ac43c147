package dev.herald.core;

/**
 * What a backend asked of a push beyond its target and data: how long it waits for an offline uid
 * ({@code ttl}), its idempotency id and its latest-value key.
 *
 * @param ttlMillis how long the message waits in the inbox of each uid the push names that has no
 *     connection (0: online only, as in the seed); at most {@code inbox.max-ttl}
 * @param id the backend's id for the push, or {@code null}: a retry with the same id and target within
 *     {@code idempotency.window} gets the first push's result and is not delivered again
 * @param key a latest-value key, or {@code null}: the message replaces any older message of the same
 *     stream with the same key that history or an inbox still keeps
 * @param receipt whether the backend wants a receipt: what became of the message, per uid
 */
public record PushOptions(long ttlMillis, String id, String key, boolean receipt) {

    public static final PushOptions NONE = new PushOptions(0, null, null, false);

    /** Options without a receipt. */
    public PushOptions(long ttlMillis, String id, String key) {
        this(ttlMillis, id, key, false);
    }

    public PushOptions {
        if (ttlMillis < 0) {
            throw new IllegalArgumentException("ttl must not be negative, was " + ttlMillis);
        }
    }

    /** The options with only a ttl (the seed lines' {@code inbox.seed-ttl}); {@link #NONE} for 0. */
    public static PushOptions ttl(long ttlMillis) {
        return ttlMillis == 0 ? NONE : new PushOptions(ttlMillis, null, null);
    }

    public boolean hasTtl() {
        return ttlMillis > 0;
    }
}
