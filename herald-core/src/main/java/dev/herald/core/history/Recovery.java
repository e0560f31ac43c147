package dev.herald.core.history;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The answer for one stream when a client comes back: how its position compares with what the stream
 * holds, what it missed for good, and what is replayed. Never a silent jump: each case says exactly
 * which offsets will not come.
 *
 * <ul>
 *   <li>{@link Kind#NEW}: the client gave no position; what waits in the uid's inbox is replayed
 *       (read with {@link StreamStore#waiting}), no history.
 *   <li>{@link Kind#RECOVERED}: same epoch and everything after the client's offset is kept: all of it
 *       is replayed (possibly nothing).
 *   <li>{@link Kind#GAP}: same epoch, but the offsets in {@code missed} are gone (dropped from history,
 *       or more than a replay may carry); what is kept after the client's offset is replayed.
 *   <li>{@link Kind#RESET}: the epoch differs (the stream's history was lost, or it was forgotten), or
 *       the client's offset is past the stream's last: everything the stream keeps now is replayed,
 *       under its new epoch, and {@code missed} names what of the new epoch is gone.
 * </ul>
 *
 * @param epoch the stream's epoch now ({@code null}: it has no position yet)
 * @param top the stream's last offset now
 * @param from the client's position in the stream from now on: the first frame after the answer names
 *     it as its previous offset (the client's own offset after a recovery or a gap, 0 after a reset,
 *     for a new client {@code top}, or the offset before the first waiting message it is sent)
 * @param missed the offsets that will not come, as ranges in ascending order (empty unless a gap or a
 *     reset)
 * @param replay what follows, oldest first
 */
public record Recovery(
        String stream, Kind kind, String epoch, long top, long from, List<Range> missed, List<Publication> replay) {

    public enum Kind {
        NEW,
        RECOVERED,
        GAP,
        RESET;

        /** The name on the wire ({@code new}, {@code recovered}, {@code gap}, {@code reset}). */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The offsets {@code from} to {@code to}, both included. */
    public record Range(long from, long to) {
        public Range {
            if (from < 1 || to < from) {
                throw new IllegalArgumentException("not a range of offsets: " + from + ".." + to);
            }
        }
    }

    public Recovery {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(kind, "kind");
        missed = List.copyOf(missed);
        replay = List.copyOf(replay);
    }

    /**
     * Decides a stream's answer from the client's position ({@code null}: none) and what the store
     * read for it ({@link StreamStore#read} with that position).
     */
    public static Recovery decide(String stream, StreamPosition since, HistoryWindow window) {
        List<Publication> kept = window.publications();
        if (since == null) {
            // What waits for the uid, if anything (a read of its inbox): the chain starts before it.
            long from = kept.isEmpty() ? window.top() : kept.get(0).offset() - 1;
            return new Recovery(stream, Kind.NEW, window.epoch(), window.top(), from, List.of(), kept);
        }
        if (window.epoch() == null || !window.epoch().equals(since.epoch()) || since.offset() > window.top()) {
            List<Range> missed = missed(0, window, kept);
            return new Recovery(stream, Kind.RESET, window.epoch(), window.top(), 0, missed, kept);
        }
        List<Range> missed = missed(since.offset(), window, kept);
        Kind kind = missed.isEmpty() ? Kind.RECOVERED : Kind.GAP;
        return new Recovery(stream, kind, window.epoch(), window.top(), since.offset(), missed, kept);
    }

    /** The offsets after {@code after}, up to the window's trim point, that are not kept. */
    private static List<Range> missed(long after, HistoryWindow window, List<Publication> kept) {
        long upTo = Math.min(window.trimmed(), window.top());
        List<Range> missed = new ArrayList<>(1);
        long next = after + 1;
        for (Publication publication : kept) {
            if (next > upTo) {
                break;
            }
            long offset = publication.offset();
            if (offset > next) {
                missed.add(new Range(next, Math.min(offset - 1, upTo)));
            }
            next = Math.max(next, offset + 1);
        }
        if (next <= upTo) {
            missed.add(new Range(next, upTo));
        }
        return missed;
    }
}
