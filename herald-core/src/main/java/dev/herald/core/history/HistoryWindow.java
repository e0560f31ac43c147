package dev.herald.core.history;

import java.util.List;

/**
 * What a stream holds for a client that comes back: its current epoch and last offset, how far its
 * history has been trimmed, and the kept publications it asked for, oldest first.
 *
 * @param epoch the stream's epoch, or {@code null} if the stream has no position (never written, or
 *     forgotten)
 * @param top the offset of the stream's last message (0 if none)
 * @param trimmed every offset up to this one that is not among {@code publications} is gone for good
 *     (dropped from history, never kept, or left out because the read's limit cut it); kept ones after
 *     it may still skip offsets that were not lost (a later message replaced them)
 * @param publications kept publications after the position asked for (all kept ones if the position is
 *     of another epoch or past the stream's last), at most the limit asked for, the newest of them,
 *     oldest first
 */
public record HistoryWindow(String epoch, long top, long trimmed, List<Publication> publications) {

    public static final HistoryWindow UNKNOWN = new HistoryWindow(null, 0, 0, List.of());

    public HistoryWindow {
        publications = List.copyOf(publications);
    }
}
