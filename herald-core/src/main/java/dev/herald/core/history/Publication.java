package dev.herald.core.history;

import dev.herald.core.Encodable;
import dev.herald.core.Message;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * One message at its position in one stream: what history keeps and what every connection reached
 * through that stream receives. A push to several parts (uids, groups, everyone) makes one publication
 * per part's stream, all sharing the one {@link Message}.
 *
 * <p>Immutable and thread-safe. {@link #encoded} caches a transport's wire form of the publication
 * (with the previous offset {@code offset - 1}, the common case), so a broadcast encodes its frame once.
 */
public final class Publication extends Encodable {

    /** Bytes a kept publication costs beyond its payload (objects, queue slot), for history's byte budget. */
    static final int OVERHEAD_BYTES = 128;

    private final String stream;
    private final String epoch;
    private final long offset;
    private final Message message;
    private final Set<String> exceptUids;
    private final long time;
    private final long expiresAt;
    private final boolean waiting;
    /**
     * Whether its stream journals it: its delivery waits until it is durable. Set on the stream's monitor
     * before the publication is handed to anyone.
     */
    private boolean journaled;

    /**
     * @param exceptUids uids that never receive it, on replay too (the push's {@code exclude.uids})
     * @param time wall-clock milliseconds when it was accepted (for history's age limit)
     */
    public Publication(String stream, String epoch, long offset, Message message, Set<String> exceptUids, long time) {
        this(stream, epoch, offset, message, exceptUids, time, 0, false);
    }

    /**
     * @param expiresAt wall-clock milliseconds when its ttl ends (0: no ttl)
     * @param waiting whether it waits in its uid's inbox (a ttl on a uid stream, and room for it)
     */
    public Publication(
            String stream,
            String epoch,
            long offset,
            Message message,
            Set<String> exceptUids,
            long time,
            long expiresAt,
            boolean waiting) {
        this.stream = Objects.requireNonNull(stream, "stream");
        this.epoch = Objects.requireNonNull(epoch, "epoch");
        this.offset = offset;
        this.message = Objects.requireNonNull(message, "message");
        this.exceptUids = Objects.requireNonNull(exceptUids, "exceptUids");
        this.time = time;
        this.expiresAt = expiresAt;
        this.waiting = waiting;
    }

    public String stream() {
        return stream;
    }

    public String epoch() {
        return epoch;
    }

    public long offset() {
        return offset;
    }

    public StreamPosition position() {
        return new StreamPosition(epoch, offset);
    }

    public Message message() {
        return message;
    }

    public Set<String> exceptUids() {
        return exceptUids;
    }

    /** Whether a uid may receive it: not excluded by the push. */
    public boolean isFor(String uid) {
        return exceptUids.isEmpty() || !exceptUids.contains(uid);
    }

    public long time() {
        return time;
    }

    /** When its ttl ends (wall-clock milliseconds), or 0: no ttl. */
    public long expiresAt() {
        return expiresAt;
    }

    /** Whether it had a ttl for its uid: it waits in the inbox, or (if not {@link #waiting}) had no room. */
    public boolean hasTtl() {
        return expiresAt != 0;
    }

    /** Whether it waits in its uid's inbox until acked or expired. */
    public boolean waiting() {
        return waiting;
    }

    /** Whether it is written to the store's journal, and may only be delivered once that is durable. */
    public boolean isJournaled() {
        return journaled;
    }

    /** Marks it journaled; its store does, before anyone else sees it. */
    void journaled() {
        journaled = true;
    }

    /** What keeping it costs history's byte budget. */
    public int cost() {
        return message.size() + OVERHEAD_BYTES;
    }

    /**
     * The publication in a transport's form, computed on first use and cached under {@code key} (an
     * encoder constant of the transport's own; see {@link Encodable}).
     */
    public <T> T encoded(Object key, Function<Publication, T> encoder) {
        return form(key, this, encoder);
    }

    @Override
    public String toString() {
        return "Publication[" + stream + " " + epoch + ":" + offset + ", " + message.size() + " bytes]";
    }
}
