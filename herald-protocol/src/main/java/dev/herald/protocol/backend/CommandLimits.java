package dev.herald.protocol.backend;

/**
 * Bounds that command decoding enforces (config keys {@code api.*} and {@code websocket.max-uid-bytes}).
 *
 * @param maxUidBytes longest uid in UTF-8 bytes
 * @param maxGroupBytes longest group name in UTF-8 bytes
 * @param maxBatch most pushes in one batch
 * @param maxPage largest {@code limit} of a listing
 */
public record CommandLimits(int maxUidBytes, int maxGroupBytes, int maxBatch, int maxPage) {

    public static final int DEFAULT_MAX_GROUP_BYTES = 128;
    public static final int DEFAULT_MAX_BATCH = 1000;
    public static final int DEFAULT_MAX_PAGE = 1000;
    /** The {@code limit} of a listing that names none. */
    public static final int DEFAULT_PAGE = 100;

    public CommandLimits {
        if (maxUidBytes < 1 || maxGroupBytes < 1 || maxBatch < 1 || maxPage < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    public static CommandLimits defaults() {
        return new CommandLimits(128, DEFAULT_MAX_GROUP_BYTES, DEFAULT_MAX_BATCH, DEFAULT_MAX_PAGE);
    }
}
