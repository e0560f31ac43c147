package dev.herald.core;

import dev.herald.core.store.Journal;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What became of one push, for the backend that asked ({@code "receipt":true}): for each uid the push
 * named, whether the message waits, which connections it was written to and which acked it, and when;
 * for the uids reached through groups and everyone, counts. Thread-safe: transports and the store
 * report to it from any thread.
 *
 * <p>"Written" means the frame reached the connection's socket (its write completed on the server), not
 * that the client has it; "acked" means a {@code herald.v1} client acked its position past it.
 */
public final class Receipt {

    /** Most connections recorded per uid and kind of event; more are counted, not listed. */
    public static final int MAX_EVENTS_PER_UID = 16;

    /** Where a uid's copy of the message stands. */
    public enum State {
        /** No connection of the uid had it yet and it waits in the uid's inbox. */
        QUEUED,
        /** Queued on at least one connection of the uid (see {@code written} for the socket writes). */
        SENT,
        /** A connection of the uid acked it. */
        ACKED,
        /** No connection had it and it did not wait (no ttl, or no room in the inboxes). */
        MISSED,
        /** It waited until its ttl passed. */
        EXPIRED,
        /** A newer message pushed it out of a full inbox. */
        EVICTED,
        /** A newer message with the same key replaced it. */
        SUPERSEDED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A connection and when (wall-clock milliseconds). */
    public record Event(String connection, long at) {}

    private static final class UidState {
        String stream;
        String epoch;
        long offset;
        State state;
        final List<Event> written = new ArrayList<>(1);
        final List<Event> acked = new ArrayList<>(1);
        int moreWritten;
        int moreAcked;
    }

    private final String id;
    private final long createdAt;
    private final LinkedHashMap<String, UidState> uids = new LinkedHashMap<>();
    private long othersWritten;
    private long othersAcked;
    /** Where its changes are written down, if anywhere. */
    private Journal journal = Journal.NONE;
    /** Whether a change waits for the journal to write it: each receipt is queued once until written. */
    private boolean dirty;

    public Receipt(String id, long createdAt) {
        this.id = Objects.requireNonNull(id, "id");
        this.createdAt = createdAt;
    }

    public String id() {
        return id;
    }

    public long createdAt() {
        return createdAt;
    }

    /**
     * The push reached a uid it named: at this position, on {@code connections} connections, or it waits
     * ({@code waiting}) or was missed.
     */
    public synchronized void delivered(
            String uid, String stream, String epoch, long offset, int connections, boolean waiting) {
        UidState state = uids.computeIfAbsent(uid, key -> new UidState());
        state.stream = stream;
        state.epoch = epoch;
        state.offset = offset;
        if (state.state != State.ACKED && state.state != State.SENT) {
            state.state = connections > 0 ? State.SENT : waiting ? State.QUEUED : State.MISSED;
        }
        changed();
    }

    /** Whether the push named this uid itself (not through a group): its events are listed. */
    private UidState named(String uid) {
        return uid == null ? null : uids.get(uid);
    }

    /** A frame of the message was written to a connection's socket. */
    public synchronized void written(String uid, String connection, long at) {
        UidState state = named(uid);
        changed();
        if (state == null) {
            othersWritten++;
            return;
        }
        if (state.state == State.QUEUED || state.state == State.MISSED) {
            state.state = State.SENT; // a waiting one reached a connection that came
        }
        if (state.written.size() < MAX_EVENTS_PER_UID) {
            state.written.add(new Event(connection, at));
        } else {
            state.moreWritten++;
        }
    }

    /** A connection acked its position past the message. */
    public synchronized void acked(String uid, String connection, long at) {
        UidState state = named(uid);
        changed();
        if (state == null) {
            othersAcked++;
            return;
        }
        state.state = State.ACKED;
        if (state.acked.size() < MAX_EVENTS_PER_UID) {
            state.acked.add(new Event(connection, at));
        } else {
            state.moreAcked++;
        }
    }

    /** The uid's copy left its inbox unacked: expired, evicted or superseded. */
    public synchronized void ended(String uid, State end) {
        UidState state = named(uid);
        if (state != null && state.state != State.ACKED) {
            state.state = end;
            changed();
        }
    }

    /** Writes its changes to {@code journal} from now on, starting with what it holds. */
    public synchronized void journal(Journal journal) {
        this.journal = journal;
        changed();
    }

    /** On the monitor. */
    private void changed() {
        if (!dirty && journal.durable()) {
            dirty = true;
            journal.receiptChanged(this);
        }
    }

    /**
     * Writes the receipt as the journal keeps it, and lets its next change queue it again. The journal
     * calls it when it writes.
     */
    public synchronized void writeTo(DataOutput out) throws IOException {
        dirty = false;
        out.writeByte(1); // format
        out.writeUTF(id);
        out.writeLong(createdAt);
        out.writeLong(othersWritten);
        out.writeLong(othersAcked);
        out.writeInt(uids.size());
        for (Map.Entry<String, UidState> entry : uids.entrySet()) {
            UidState state = entry.getValue();
            out.writeUTF(entry.getKey());
            out.writeUTF(state.stream == null ? "" : state.stream);
            out.writeUTF(state.epoch == null ? "" : state.epoch);
            out.writeLong(state.offset);
            out.writeByte(state.state == null ? -1 : state.state.ordinal());
            writeEvents(out, state.written, state.moreWritten);
            writeEvents(out, state.acked, state.moreAcked);
        }
    }

    private static void writeEvents(DataOutput out, List<Event> events, int more) throws IOException {
        out.writeInt(more);
        out.writeShort(events.size());
        for (Event event : events) {
            out.writeUTF(event.connection());
            out.writeLong(event.at());
        }
    }

    /** A receipt as {@link #writeTo} wrote it. */
    public static Receipt readFrom(DataInput in) throws IOException {
        if (in.readByte() != 1) {
            throw new IOException("unknown receipt format");
        }
        Receipt receipt = new Receipt(in.readUTF(), in.readLong());
        receipt.othersWritten = in.readLong();
        receipt.othersAcked = in.readLong();
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            UidState state = new UidState();
            String uid = in.readUTF();
            String stream = in.readUTF();
            String epoch = in.readUTF();
            state.stream = stream.isEmpty() ? null : stream;
            state.epoch = epoch.isEmpty() ? null : epoch;
            state.offset = in.readLong();
            int ordinal = in.readByte();
            state.state = ordinal < 0 ? null : State.values()[ordinal];
            state.moreWritten = readEvents(in, state.written);
            state.moreAcked = readEvents(in, state.acked);
            receipt.uids.put(uid, state);
        }
        return receipt;
    }

    private static int readEvents(DataInput in, List<Event> events) throws IOException {
        int more = in.readInt();
        int count = in.readShort();
        for (int i = 0; i < count; i++) {
            events.add(new Event(in.readUTF(), in.readLong()));
        }
        return more;
    }

    /**
     * The receipt as the backend reads it: {@code {"id":…,"created":…,"uids":{uid:{"state":…,"stream":…,
     * "epoch":…,"offset":…,"written":[{"connection":…,"at":…}],"acked":[…]}},"others":{"written":N,
     * "acked":M}}}.
     */
    public synchronized Map<String, Object> view() {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", id);
        view.put("created", createdAt);
        Map<String, Object> byUid = new LinkedHashMap<>();
        uids.forEach((uid, state) -> {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("state", state.state.wireName());
            one.put("stream", state.stream);
            one.put("epoch", state.epoch);
            one.put("offset", state.offset);
            one.put("written", events(state.written));
            if (state.moreWritten > 0) {
                one.put("moreWritten", state.moreWritten);
            }
            one.put("acked", events(state.acked));
            if (state.moreAcked > 0) {
                one.put("moreAcked", state.moreAcked);
            }
            byUid.put(uid, one);
        });
        view.put("uids", byUid);
        Map<String, Object> others = new LinkedHashMap<>();
        others.put("written", othersWritten);
        others.put("acked", othersAcked);
        view.put("others", others);
        return view;
    }

    private static List<Map<String, Object>> events(List<Event> events) {
        List<Map<String, Object>> list = new ArrayList<>(events.size());
        for (Event event : events) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("connection", event.connection());
            one.put("at", event.at());
            list.add(one);
        }
        return list;
    }
}
