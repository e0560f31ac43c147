package dev.herald.store;

/**
 * What the data directory's writer did since start.
 *
 * @param fsync whether each batch is synced to the disk ({@code store.fsync})
 * @param batches batches written (each one write, and with fsync one sync)
 * @param changes changes written (appends, removals, positions, ids, receipts)
 * @param failures batches that could not be written
 * @param writeNanos time spent writing (and syncing) batches
 */
public record StoreStats(boolean fsync, long batches, long changes, long failures, long writeNanos) {}
