package dev.herald.core.history;

/**
 * What a {@link StreamStore} holds and has done since start.
 *
 * @param streams streams whose position is remembered
 * @param publications messages kept
 * @param bytes what the kept messages cost the byte budget ({@code history.max-bytes})
 * @param appended messages given a position
 * @param evicted kept messages dropped before their age (stream full or byte budget spent)
 * @param expired kept messages dropped at {@code history.ttl}
 * @param forgotten streams whose position was dropped ({@code history.meta-ttl}, {@code history.max-streams})
 * @param superseded kept or waiting messages replaced by a newer one with the same key
 */
public record HistoryStats(
        long streams,
        long publications,
        long bytes,
        long appended,
        long evicted,
        long expired,
        long forgotten,
        long superseded) {}
