package dev.herald.server;

/**
 * Bounds of backend commands on both adapters (config keys {@code api.*}).
 *
 * @param maxGroupBytes longest group name in UTF-8 bytes
 * @param maxBatch most pushes in one batch
 * @param maxPage largest page of a listing ({@code uids}, {@code groups}, {@code members}, {@code online})
 * @param maxGroupsPerUid most groups one uid may join (0: no limit)
 */
public record ApiConfig(int maxGroupBytes, int maxBatch, int maxPage, int maxGroupsPerUid) {

    public ApiConfig {
        if (maxGroupBytes < 1 || maxGroupBytes > 65536) {
            throw new IllegalArgumentException("max-group-bytes must be between 1 and 65536, was " + maxGroupBytes);
        }
        if (maxBatch < 1 || maxBatch > 100_000) {
            throw new IllegalArgumentException("max-batch must be between 1 and 100000, was " + maxBatch);
        }
        if (maxPage < 1 || maxPage > 100_000) {
            throw new IllegalArgumentException("max-page must be between 1 and 100000, was " + maxPage);
        }
        if (maxGroupsPerUid < 0) {
            throw new IllegalArgumentException(
                    "max-groups-per-uid must be 0 (no limit) or more, was " + maxGroupsPerUid);
        }
    }
}
