package dev.herald.protocol.backend;

/**
 * Bounds that command decoding enforces (config keys {@code api.*} and {@code websocket.max-uid-bytes}).
 *
 * @param maxUidBytes longest uid in UTF-8 bytes
 * @param maxGroupBytes longest group name in UTF-8 bytes
 * @param maxBatch most pushes in one batch
 * @param maxPage largest {@code limit} of a listing
 * @param maxTtlSeconds longest {@code ttl} of a push ({@code inbox.max-ttl})
 */
public record CommandLimits(int maxUidBytes, int maxGroupBytes, int maxBatch, int maxPage, long maxTtlSeconds) {

    public static final int DEFAULT_MAX_GROUP_BYTES = 128;
    public static final int DEFAULT_MAX_BATCH = 1000;
    public static final int DEFAULT_MAX_PAGE = 1000;
    /** The {@code limit} of a listing that names none. */
    public static final int DEFAULT_PAGE = 100;
    /** {@code inbox.max-ttl}'s default: 7 days. */
    public static final long DEFAULT_MAX_TTL_SECONDS = 7 * 24 * 3600;
    /** Longest idempotency id and latest-value key, in UTF-8 bytes. */
    public static final int MAX_ID_BYTES = 128;

    public CommandLimits {
        if (maxUidBytes < 1 || maxGroupBytes < 1 || maxBatch < 1 || maxPage < 1 || maxTtlSeconds < 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    /** Limits with the default longest ttl. */
    public CommandLimits(int maxUidBytes, int maxGroupBytes, int maxBatch, int maxPage) {
        this(maxUidBytes, maxGroupBytes, maxBatch, maxPage, DEFAULT_MAX_TTL_SECONDS);
    }

    public static CommandLimits defaults() {
        return new CommandLimits(128, DEFAULT_MAX_GROUP_BYTES, DEFAULT_MAX_BATCH, DEFAULT_MAX_PAGE);
    }
}
