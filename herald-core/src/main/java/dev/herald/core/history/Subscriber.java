package dev.herald.core.history;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The stream positions of one connection that speaks a positioned protocol ({@code herald.v1}): what
 * it was last sent on each stream, so that every frame names its previous offset, nothing is sent
 * twice and nothing out of order, also while a resume replays history and live messages keep coming.
 *
 * <p>A subscriber starts by holding live publications back; {@link #resume} writes the answer to the
 * client's hello, replays what each stream's {@link Recovery} carries, then what was held back (minus
 * what the replay already sent), and from then on writes live publications as they come.
 *
 * <p>Thread-safe: publications arrive from any thread; one monitor orders them.
 */
public final class Subscriber {

    /** Live publications held back at most while a resume runs; more closes the connection as slow. */
    public static final int MAX_HELD = 10_000;

    /** Where a subscriber's frames go: the transport encodes and queues them. */
    public interface Sink {

        /**
         * Queues a publication with the offset of the previous one this connection got, or was told about,
         * on the same stream (0: none).
         *
         * @return whether it was queued ({@code false}: the connection is closed or closing)
         */
        boolean write(Publication publication, long previousOffset);

        /** Queues the answer to the client's hello, before any publication. */
        void welcome(List<Recovery> answers);

        /**
         * Too much arrived while the resume ran, or while the connection was congested: the transport
         * closes the connection as slow.
         */
        void overflow();

        /**
         * Whether the connection cannot take more now (its socket buffer is full): a keyed publication
         * then waits in the subscriber, where a newer one with the same key replaces it. The transport
         * calls {@link #drain} when it can take more again. Never congested by default.
         */
        default boolean congested() {
            return false;
        }

        /** Bytes that may wait in the subscriber while the connection is congested. */
        default long maxParkedBytes() {
            return 1 << 20;
        }

        /** A waiting keyed publication was replaced by a newer one with the same key (not sent). */
        default void conflated(Publication older) {}
    }

    private static final class Cursor {
        String epoch;
        long offset;
        /** The epoch this cursor left: publications of it that come late are stale. */
        String retired;
        /** Set from a resume's answer: while the held ones drain, another epoch is older than the answer. */
        boolean answered;

        Cursor(String epoch, long offset) {
            this.epoch = epoch;
            this.offset = offset;
        }
    }

    private final String uid;
    private final Sink sink;
    private final HashMap<String, Cursor> cursors = new HashMap<>(4);
    /** Live publications held back until the resume is done; {@code null} once live. */
    private ArrayList<Publication> held = new ArrayList<>();

    private boolean overflowed;
    /** What waits while the connection is congested, keyed by stream and key (or unique); {@code null}: nothing. */
    private LinkedHashMap<Object, Publication> parked;

    private long parkedBytes;
    /** {@code parked != null}, readable without the monitor. */
    private volatile boolean parking;
    /** Publications with a receipt sent and not acked yet, oldest first (at most {@link #MAX_RECEIPTED}). */
    private ArrayDeque<Publication> receipted;

    /** Most publications with a receipt waiting for this connection's ack; older ones are not reported. */
    public static final int MAX_RECEIPTED = 1024;

    public Subscriber(String uid, Sink sink) {
        this.uid = Objects.requireNonNull(uid, "uid");
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    public String uid() {
        return uid;
    }

    /**
     * A live publication for this connection, from any thread.
     *
     * @return whether the connection has it or will have it (also when it had it already)
     */
    public boolean offer(Publication publication) {
        synchronized (this) {
            if (held == null) {
                if (parked != null || (publication.message().key() != null && sink.congested())) {
                    return park(publication);
                }
                return send(publication);
            }
            if (overflowed) {
                return false;
            }
            if (held.size() < MAX_HELD) {
                held.add(publication);
                return true;
            }
            overflowed = true;
        }
        sink.overflow();
        return false;
    }

    /**
     * Answers the hello and goes live: the answers, each stream's replay, then what arrived meanwhile.
     * Called once, after the connection was bound (so that nothing published after the reads is missed).
     */
    public void resume(List<Recovery> answers) {
        synchronized (this) {
            if (held == null) {
                throw new IllegalStateException("resumed twice");
            }
            sink.welcome(answers);
            for (Recovery answer : answers) {
                if (answer.epoch() != null) {
                    Cursor cursor = new Cursor(answer.epoch(), answer.from());
                    cursor.answered = true;
                    cursors.put(answer.stream(), cursor);
                }
            }
            for (Recovery answer : answers) {
                for (Publication publication : answer.replay()) {
                    send(publication);
                }
            }
            List<Publication> meanwhile = held;
            held = null;
            if (!overflowed) {
                // Held ones of another epoch than an answer's were published before the stream lost its
                // history (the answer was read after): stale, dropped. (A stream forgotten between the
                // read and this point would lose its newest ones here; the client then sees the new
                // epoch with its next message, never a silent jump.)
                for (Publication publication : meanwhile) {
                    Cursor cursor = cursors.get(publication.stream());
                    if (cursor == null || !cursor.answered || cursor.epoch.equals(publication.epoch())) {
                        send(publication);
                    }
                }
            }
            for (Cursor cursor : cursors.values()) {
                cursor.answered = false;
            }
        }
    }

    /**
     * Keeps a publication while the connection is congested: a keyed one replaces the waiting one of the
     * same stream and key; everything else waits in order behind them. Past {@link Sink#maxParkedBytes}
     * the connection is closed as slow. On the monitor.
     */
    private boolean park(Publication publication) {
        if (parked == null) {
            parked = new LinkedHashMap<>();
            parking = true;
        }
        String key = publication.message().key();
        Object slot = key == null ? new Object() : publication.stream() + '\n' + key;
        Publication older = parked.remove(slot); // the newer goes to the end: offsets stay in order
        if (older != null) {
            parkedBytes -= older.message().size();
            sink.conflated(older);
        }
        parked.put(slot, publication);
        parkedBytes += publication.message().size();
        if (parkedBytes > sink.maxParkedBytes()) {
            parked = null;
            parking = false;
            parkedBytes = 0;
            sink.overflow();
            return false;
        }
        // The connection may have drained while this was decided: then nothing would call drain again.
        drainParked();
        return true;
    }

    /**
     * The connection can take more again: writes what waited while it was congested, in order, until it
     * is done or congested again. The transport calls it on the connection's own thread.
     */
    public synchronized void drain() {
        drainParked();
    }

    /** Whether publications wait for the connection's congestion to pass (a racy hint, for the transport). */
    public boolean hasParked() {
        return parking;
    }

    /** Writes what waits until nothing does or the connection is congested again; on the monitor. */
    private void drainParked() {
        while (parked != null && !sink.congested()) {
            var first = parked.entrySet().iterator();
            if (!first.hasNext()) {
                parked = null;
                parking = false;
                parkedBytes = 0;
                return;
            }
            Publication publication = first.next().getValue();
            first.remove();
            parkedBytes -= publication.message().size();
            send(publication);
        }
    }

    /** Writes a publication unless the connection had it; on the monitor. */
    private boolean send(Publication publication) {
        if (!publication.isFor(uid)) {
            return false;
        }
        Cursor cursor = cursors.get(publication.stream());
        long previous;
        if (cursor == null) {
            cursors.put(publication.stream(), new Cursor(publication.epoch(), publication.offset()));
            previous = 0;
        } else if (!cursor.epoch.equals(publication.epoch())) {
            if (publication.epoch().equals(cursor.retired)) {
                return true; // of the epoch this connection left: a late delivery racing the new epoch's
            }
            // The stream lost its history while this connection was live: the client sees the new epoch.
            cursor.retired = cursor.epoch;
            cursor.epoch = publication.epoch();
            cursor.offset = publication.offset();
            previous = 0;
        } else if (publication.offset() <= cursor.offset) {
            return true; // sent already, by the replay
        } else {
            previous = cursor.offset;
            cursor.offset = publication.offset();
        }
        boolean written = sink.write(publication, previous);
        if (written && publication.message().receipt() != null) {
            if (receipted == null) {
                receipted = new ArrayDeque<>();
            } else if (receipted.size() == MAX_RECEIPTED) {
                receipted.pollFirst();
            }
            receipted.addLast(publication);
        }
        return written;
    }

    /**
     * The client acked a stream up to {@code offset}: the receipts of what it was sent there up to it
     * hear of it.
     */
    public void acked(String stream, long offset, String connection, long at) {
        List<Publication> done = null;
        synchronized (this) {
            if (receipted == null) {
                return;
            }
            for (var it = receipted.iterator(); it.hasNext(); ) {
                Publication publication = it.next();
                if (publication.stream().equals(stream) && publication.offset() <= offset) {
                    it.remove();
                    if (done == null) {
                        done = new ArrayList<>();
                    }
                    done.add(publication);
                }
            }
        }
        if (done != null) {
            for (Publication publication : done) {
                publication.message().receipt().acked(uid, connection, at);
            }
        }
    }

    /** The last position sent on a stream, or {@code null}: nothing was. */
    public synchronized StreamPosition position(String stream) {
        Cursor cursor = cursors.get(stream);
        return cursor == null ? null : new StreamPosition(cursor.epoch, cursor.offset);
    }

    /** The last position sent on each stream. */
    public synchronized Map<String, StreamPosition> positions() {
        Map<String, StreamPosition> positions = new LinkedHashMap<>();
        cursors.forEach((stream, cursor) -> positions.put(stream, new StreamPosition(cursor.epoch, cursor.offset)));
        return positions;
    }
}
