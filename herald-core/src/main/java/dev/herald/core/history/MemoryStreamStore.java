package dev.herald.core.history;

import dev.herald.core.Message;
import dev.herald.core.Receipt;
import dev.herald.core.store.Journal;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Streams in this process's memory: positions, kept messages and inboxes are lost with the process,
 * and every stream gets a new epoch after a restart.
 *
 * <p>Bounded everywhere. History ({@link HistoryConfig}): each stream keeps at most {@code size}
 * messages, none older than {@code ttl} (checked on every append and read, and by {@link #sweep}); when
 * all kept messages together pass {@code maxBytes}, the oldest message of one stream after another is
 * dropped (round-robin over the streams that keep any: each gives up its oldest in turn, so the loss is
 * spread over the streams instead of emptying the least recently written ones first; a quiet stream
 * still loses one message per turn, like a busy one); a stream's position is forgotten {@code metaTtl}
 * after its last message, and when more than {@code maxStreams} are remembered the least recently
 * written are forgotten first (approximately: a second-chance queue, so that no append ever sorts). The
 * inbox ({@link InboxConfig}): a uid stream's messages with a ttl wait apart from its history, at most
 * {@code maxPerUid} (a new one pushes out the oldest), all inboxes together at most {@code maxBytes} (a
 * new one past it does not wait), until acked or expired; a stream with waiting messages is not
 * forgotten.
 *
 * <p>Thread-safe: each stream is one monitor, held while a message is appended and delivered.
 */
public final class MemoryStreamStore implements StreamStore {

    private final HistoryConfig config;
    private final InboxConfig inboxConfig;
    private final Clock clock;
    /** Where changes to durable streams are written down ({@link Journal#NONE}: nowhere). */
    private final Journal journal;
    /** Group and everyone streams, by stream name. */
    private final ConcurrentHashMap<String, Stream> streams = new ConcurrentHashMap<>();
    /** Uid streams, by uid: a push to a uid finds its stream without building the stream's name. */
    private final ConcurrentHashMap<String, Stream> uidStreams = new ConcurrentHashMap<>();
    /** Every remembered stream once, oldest first: who is forgotten when there are too many. */
    private final ConcurrentLinkedQueue<Stream> byAge = new ConcurrentLinkedQueue<>();
    /** The streams that keep messages, each once: who gives up its oldest when the byte budget is spent. */
    private final ConcurrentLinkedQueue<Stream> keeping = new ConcurrentLinkedQueue<>();

    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong kept = new AtomicLong();
    private final AtomicLong inboxBytes = new AtomicLong();
    private final AtomicLong waiting = new AtomicLong();
    private final LongAdder appended = new LongAdder();
    private final LongAdder evicted = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final LongAdder forgotten = new LongAdder();
    private final LongAdder queued = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder inboxEvicted = new LongAdder();
    private final LongAdder inboxExpired = new LongAdder();
    private final LongAdder acked = new LongAdder();
    private final LongAdder superseded = new LongAdder();

    public MemoryStreamStore(HistoryConfig config) {
        this(config, InboxConfig.DEFAULTS, Clock.systemUTC());
    }

    public MemoryStreamStore(HistoryConfig config, Clock clock) {
        this(config, InboxConfig.DEFAULTS, clock);
    }

    public MemoryStreamStore(HistoryConfig config, InboxConfig inboxConfig, Clock clock) {
        this(config, inboxConfig, clock, Journal.NONE);
    }

    /**
     * A store whose streams that keep anything (history or inbox) are written to {@code journal}, and
     * whose deliveries of what was written wait until it is durable ({@link #afterDurable}).
     */
    public MemoryStreamStore(HistoryConfig config, InboxConfig inboxConfig, Clock clock, Journal journal) {
        this.config = Objects.requireNonNull(config, "config");
        this.inboxConfig = Objects.requireNonNull(inboxConfig, "inboxConfig");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.journal = Objects.requireNonNull(journal, "journal");
    }

    /** One stream; its monitor orders its appends. */
    private static final class Stream {
        final String name;
        /** Its key in its map: the uid of a uid stream, the name of another. */
        final String key;

        final String epoch;
        /** Whether it keeps history: from the start, or once a client asked for it (history.uids v1). */
        boolean keeps;

        final boolean hasInbox;
        long top;
        /** The newest offset history or the inbox dropped: offsets up to it that are not kept are gone. */
        long trimmed;

        long lastWrite;
        /** When it last entered {@link #byAge}: written after that, it gets a second chance. */
        long queuedAt;

        ArrayDeque<Publication> publications;
        /** Messages with a ttl waiting for an ack, in offset order; {@code null} when none. */
        ArrayDeque<Publication> inbox;

        boolean inKeeping;
        /** Read without the monitor only to purge the queues. */
        volatile boolean forgotten;

        /**
         * Whether the journal has it: since it first kept or queued a message (or was restored). From
         * then on every change to it is journaled, so that a restart never gives an offset twice.
         */
        boolean journaled;

        Stream(String name, String key, boolean keeps, long now, String epoch) {
            this.name = name;
            this.key = key;
            this.keeps = keeps;
            this.hasInbox = Streams.isUid(name);
            this.epoch = epoch;
            this.lastWrite = now;
            this.queuedAt = now;
        }

        boolean hasWaiting() {
            return inbox != null && !inbox.isEmpty();
        }

        Journal.Position position() {
            return new Journal.Position(epoch, top, trimmed, keeps);
        }
    }

    /** A random epoch: 48 bits in base 36, so a stream that is forgotten and written again gets another. */
    static String newEpoch() {
        return Long.toString(ThreadLocalRandom.current().nextLong() & 0xFFFF_FFFF_FFFFL, 36);
    }

    @Override
    public <C, R> R append(String stream, Message message, Set<String> exceptUids, C context, Delivery<C, R> delivery) {
        String uid = Streams.uid(stream);
        return uid != null
                ? appendToUid(uid, message, exceptUids, context, delivery)
                : append(streams, stream, stream, message, exceptUids, context, delivery);
    }

    @Override
    public <C, R> R appendToUid(
            String uid, Message message, Set<String> exceptUids, C context, Delivery<C, R> delivery) {
        return append(uidStreams, uid, null, message, exceptUids, context, delivery);
    }

    /** An append to the stream under {@code key} in {@code map}; {@code name}: its name, or null to build it. */
    private <C, R> R append(
            ConcurrentHashMap<String, Stream> map,
            String key,
            String name,
            Message message,
            Set<String> exceptUids,
            C context,
            Delivery<C, R> delivery) {
        long now = clock.millis();
        while (true) {
            Stream s = map.get(key);
            if (s == null) {
                s = create(map, key, name == null ? Streams.ofUid(key) : name, now);
            }
            R result;
            synchronized (s) {
                if (s.forgotten) {
                    continue; // forgotten meanwhile: a new stream, under a new epoch
                }
                Publication publication = publication(s, message, exceptUids, now);
                s.lastWrite = now;
                appended.increment();
                if (journal.durable() && (s.journaled || s.keeps || publication.waiting())) {
                    s.journaled = true;
                    publication.journaled();
                }
                if (message.key() != null) {
                    supersede(s, message.key());
                }
                if (publication.waiting()) {
                    wait(s, publication);
                } else if (s.keeps) {
                    keep(s, publication, now);
                }
                if (publication.isJournaled()) {
                    journal.appended(publication, s.position());
                }
                result = delivery.deliver(publication, context);
            }
            if (bytes.get() > config.maxBytes()) {
                evictForBytes();
            }
            return result;
        }
    }

    /** The next publication of a stream; on its monitor. A ttl waits in a uid's inbox if there is room. */
    private Publication publication(Stream s, Message message, Set<String> exceptUids, long now) {
        long ttl = Math.min(message.options().ttlMillis(), inboxConfig.maxTtl().toMillis());
        if (ttl <= 0 || !s.hasInbox || inboxConfig.maxPerUid() == 0) {
            return new Publication(s.name, s.epoch, ++s.top, message, exceptUids, now);
        }
        boolean room = inboxBytes.get() + message.size() + Publication.OVERHEAD_BYTES <= inboxConfig.maxBytes();
        if (!room) {
            refused.increment();
        }
        return new Publication(s.name, s.epoch, ++s.top, message, exceptUids, now, now + ttl, room);
    }

    private Stream create(ConcurrentHashMap<String, Stream> map, String key, String name, long now) {
        return create(map, key, name, now, config.keeps(name), newEpoch());
    }

    private Stream create(
            ConcurrentHashMap<String, Stream> map, String key, String name, long now, boolean keeps, String epoch) {
        Stream fresh = new Stream(name, key, keeps, now, epoch);
        Stream raced = map.putIfAbsent(key, fresh);
        if (raced != null) {
            return raced;
        }
        byAge.add(fresh);
        if (size() > config.maxStreams()) {
            forgetOldest(fresh);
        }
        return fresh;
    }

    private int size() {
        return streams.size() + uidStreams.size();
    }

    /** The map a stream lives in, and its key there. */
    private ConcurrentHashMap<String, Stream> mapOf(String stream) {
        return Streams.isUid(stream) ? uidStreams : streams;
    }

    private static String keyOf(String stream) {
        String uid = Streams.uid(stream);
        return uid != null ? uid : stream;
    }

    private Stream find(String stream) {
        return mapOf(stream).get(keyOf(stream));
    }

    /** Adds a publication to its stream's kept ones; on the stream's monitor. */
    private void keep(Stream s, Publication publication, long now) {
        if (s.publications == null) {
            s.publications = new ArrayDeque<>();
        }
        dropExpired(s, now);
        s.publications.addLast(publication);
        kept.incrementAndGet();
        bytes.addAndGet(publication.cost());
        while (s.publications.size() > config.size()) {
            drop(s, s.publications.pollFirst());
            evicted.increment();
        }
        if (!s.inKeeping) {
            s.inKeeping = true;
            keeping.add(s);
        }
    }

    /** Puts a publication in its uid's inbox, pushing out the oldest when full; on the stream's monitor. */
    private void wait(Stream s, Publication publication) {
        if (s.inbox == null) {
            s.inbox = new ArrayDeque<>(4);
        }
        s.inbox.addLast(publication);
        waiting.incrementAndGet();
        inboxBytes.addAndGet(publication.cost());
        queued.increment();
        while (s.inbox.size() > inboxConfig.maxPerUid()) {
            ended(s, unwait(s, s.inbox.pollFirst(), true), Receipt.State.EVICTED);
            inboxEvicted.increment();
        }
    }

    /** Takes a publication out of its inbox; {@code lost}: to a reader who has not got it, it is gone. */
    private Publication unwait(Stream s, Publication publication, boolean lost) {
        removed(s, publication);
        waiting.decrementAndGet();
        inboxBytes.addAndGet(-publication.cost());
        if (lost) {
            s.trimmed = Math.max(s.trimmed, publication.offset());
        }
        return publication;
    }

    /** A waiting publication left its inbox unacked: its receipt, if any, hears why. */
    private static void ended(Stream s, Publication publication, Receipt.State end) {
        Receipt receipt = publication.message().receipt();
        if (receipt != null) {
            receipt.ended(s.key, end);
        }
    }

    /** Drops what history and the inbox keep with this key: the new message replaces it. */
    private void supersede(Stream s, String key) {
        if (s.publications != null) {
            for (Iterator<Publication> it = s.publications.iterator(); it.hasNext(); ) {
                Publication publication = it.next();
                if (key.equals(publication.message().key())) {
                    it.remove();
                    removed(s, publication);
                    kept.decrementAndGet();
                    bytes.addAndGet(-publication.cost());
                    superseded.increment();
                }
            }
        }
        if (s.inbox != null) {
            for (Iterator<Publication> it = s.inbox.iterator(); it.hasNext(); ) {
                Publication publication = it.next();
                if (key.equals(publication.message().key())) {
                    it.remove();
                    unwait(s, publication, false); // replaced, not lost: a reader gets the newer one
                    ended(s, publication, Receipt.State.SUPERSEDED);
                    superseded.increment();
                }
            }
        }
    }

    private void dropExpired(Stream s, long now) {
        long oldest = now - config.ttl().toMillis();
        ArrayDeque<Publication> publications = s.publications;
        while (publications != null
                && !publications.isEmpty()
                && publications.peekFirst().time() <= oldest) {
            drop(s, publications.pollFirst());
            expired.increment();
        }
    }

    private void dropExpiredWaiting(Stream s, long now) {
        if (s.inbox == null) {
            return;
        }
        for (Iterator<Publication> it = s.inbox.iterator(); it.hasNext(); ) {
            Publication publication = it.next();
            if (publication.expiresAt() <= now) {
                it.remove();
                ended(s, unwait(s, publication, true), Receipt.State.EXPIRED);
                inboxExpired.increment();
            }
        }
        if (s.inbox.isEmpty()) {
            s.inbox = null;
        }
    }

    /** Drops one kept publication (the stream's oldest); on the stream's monitor. */
    private void drop(Stream s, Publication publication) {
        removed(s, publication);
        s.trimmed = Math.max(s.trimmed, publication.offset());
        kept.decrementAndGet();
        bytes.addAndGet(-publication.cost());
    }

    /** Journals that a kept or waiting publication left its stream. */
    private void removed(Stream s, Publication publication) {
        if (s.journaled) {
            journal.removed(s.name, publication.offset());
        }
    }

    /** Journals a stream's position if it changed since {@code trimmedBefore} was read. */
    private void journalTrim(Stream s, long trimmedBefore) {
        if (s.journaled && s.trimmed != trimmedBefore && !s.forgotten) {
            journal.position(s.name, s.position());
        }
    }

    /** Drops the oldest message of one keeping stream after another until the budget holds. */
    private void evictForBytes() {
        while (bytes.get() > config.maxBytes()) {
            Stream s = keeping.poll();
            if (s == null) {
                return;
            }
            synchronized (s) {
                s.inKeeping = false;
                if (s.publications != null && !s.publications.isEmpty()) {
                    long trimmed = s.trimmed;
                    drop(s, s.publications.pollFirst());
                    evicted.increment();
                    journalTrim(s, trimmed);
                }
                if (s.publications != null && !s.publications.isEmpty() && !s.forgotten) {
                    s.inKeeping = true;
                    keeping.add(s);
                }
            }
        }
    }

    /**
     * Forgets the least recently written streams until a tenth of the limit is free again, but never
     * {@code spare}, the stream about to be written.
     */
    private void forgetOldest(Stream spare) {
        int target = config.maxStreams() - Math.max(1, config.maxStreams() / 10);
        int visits = size() * 2 + 16; // each stream gets at most one second chance
        while (size() > target && visits-- > 0) {
            Stream s = byAge.poll();
            if (s == null) {
                return;
            }
            synchronized (s) {
                if (s.forgotten) {
                    continue;
                }
                if (s == spare || s.lastWrite > s.queuedAt || s.hasWaiting()) {
                    // Written since it was queued: once more to the back. Messages waiting: kept.
                    s.queuedAt = Math.max(s.lastWrite, s.queuedAt + 1);
                    byAge.add(s);
                    continue;
                }
                forget(s);
            }
        }
    }

    /** Forgets a stream: its position and kept messages. On the stream's monitor. */
    private void forget(Stream s) {
        if (s.journaled) {
            journal.forgotten(s.name);
            s.journaled = false; // its kept messages go with it
        }
        s.forgotten = true;
        if (s.publications != null) {
            for (Publication publication : s.publications) {
                drop(s, publication);
            }
            s.publications = null;
        }
        mapOf(s.name).remove(s.key, s);
        forgotten.increment();
    }

    /**
     * The stream a client asks for: under {@code history.uids: v1} a uid stream is created if it is not
     * known and keeps its messages from now on; otherwise the stream as it is ({@code null}: unknown).
     */
    private Stream asked(String stream) {
        if (!config.keepsWhenAsked(stream)) {
            return find(stream);
        }
        while (true) {
            Stream s = find(stream);
            if (s == null) {
                s = create(mapOf(stream), keyOf(stream), stream, clock.millis());
            }
            synchronized (s) {
                if (s.forgotten) {
                    continue;
                }
                if (!s.keeps) {
                    s.keeps = true;
                    s.trimmed = s.top; // nothing before was kept
                    if (journal.durable()) {
                        s.journaled = true;
                        journal.position(s.name, s.position());
                    }
                }
                return s;
            }
        }
    }

    @Override
    public HistoryWindow read(String stream, StreamPosition since, int limit) {
        Stream s = asked(stream);
        if (s == null) {
            return HistoryWindow.UNKNOWN;
        }
        synchronized (s) {
            if (s.forgotten) {
                return HistoryWindow.UNKNOWN;
            }
            long now = clock.millis();
            long trimmedBefore = s.trimmed;
            if (s.publications != null) {
                dropExpired(s, now);
            }
            dropExpiredWaiting(s, now);
            journalTrim(s, trimmedBefore);
            // A stream that keeps no history has lost all it had but what waits in its inbox (which the
            // window holds); one that keeps has lost up to what it dropped.
            long trimmed = s.keeps ? s.trimmed : s.top;
            boolean none = (s.publications == null || s.publications.isEmpty()) && !s.hasWaiting();
            if (none || limit <= 0) {
                return new HistoryWindow(s.epoch, s.top, limit <= 0 ? s.top : trimmed, List.of());
            }
            // A position of another epoch, or past the last offset, is not in this stream: all that is kept.
            long after = since != null && since.epoch().equals(s.epoch) && since.offset() <= s.top ? since.offset() : 0;
            return window(s, trimmed, merged(s.publications, s.inbox, after), limit);
        }
    }

    @Override
    public HistoryWindow waiting(String stream, int limit) {
        Stream s = asked(stream);
        if (s == null) {
            return HistoryWindow.UNKNOWN;
        }
        synchronized (s) {
            if (s.forgotten) {
                return HistoryWindow.UNKNOWN;
            }
            long trimmedBefore = s.trimmed;
            dropExpiredWaiting(s, clock.millis());
            journalTrim(s, trimmedBefore);
            if (!s.hasWaiting() || limit <= 0) {
                return new HistoryWindow(s.epoch, s.top, s.top, List.of());
            }
            return window(s, s.top, new ArrayList<>(s.inbox), limit);
        }
    }

    /** The newest {@code limit} of {@code oldestFirst}; what the limit cuts counts as gone. */
    private static HistoryWindow window(Stream s, long trimmed, List<Publication> oldestFirst, int limit) {
        if (oldestFirst.size() > limit) {
            oldestFirst = oldestFirst.subList(oldestFirst.size() - limit, oldestFirst.size());
            trimmed = Math.max(trimmed, oldestFirst.get(0).offset() - 1);
        }
        return new HistoryWindow(s.epoch, s.top, trimmed, oldestFirst);
    }

    /** Kept and waiting publications after {@code after}, in offset order. */
    private static List<Publication> merged(ArrayDeque<Publication> kept, ArrayDeque<Publication> waiting, long after) {
        List<Publication> merged = new ArrayList<>();
        Iterator<Publication> a = kept == null ? null : kept.iterator();
        Iterator<Publication> b = waiting == null ? null : waiting.iterator();
        Publication x = next(a, after);
        Publication y = next(b, after);
        while (x != null || y != null) {
            if (y == null || (x != null && x.offset() < y.offset())) {
                merged.add(x);
                x = next(a, after);
            } else {
                merged.add(y);
                y = next(b, after);
            }
        }
        return merged;
    }

    private static Publication next(Iterator<Publication> it, long after) {
        while (it != null && it.hasNext()) {
            Publication publication = it.next();
            if (publication.offset() > after) {
                return publication;
            }
        }
        return null;
    }

    @Override
    public int ack(String stream, String epoch, long offset) {
        Stream s = find(stream);
        if (s == null) {
            return 0;
        }
        synchronized (s) {
            if (s.forgotten || !s.epoch.equals(epoch) || s.inbox == null) {
                return 0;
            }
            int done = 0;
            long trimmedBefore = s.trimmed;
            while (!s.inbox.isEmpty() && s.inbox.peekFirst().offset() <= offset) {
                unwait(s, s.inbox.pollFirst(), true);
                done++;
            }
            if (s.inbox.isEmpty()) {
                s.inbox = null;
            }
            journalTrim(s, trimmedBefore);
            acked.add(done);
            return done;
        }
    }

    @Override
    public void sweep(long nowMillis) {
        long forgetBefore = nowMillis - config.metaTtl().toMillis();
        sweep(streams, nowMillis, forgetBefore);
        sweep(uidStreams, nowMillis, forgetBefore);
        // Forgotten streams leave the queues lazily; purge them so that the queues stay as small as the maps.
        byAge.removeIf(s -> s.forgotten);
        keeping.removeIf(s -> s.forgotten);
    }

    private void sweep(ConcurrentHashMap<String, Stream> map, long nowMillis, long forgetBefore) {
        for (Stream s : map.values()) {
            synchronized (s) {
                if (s.forgotten) {
                    continue;
                }
                long trimmedBefore = s.trimmed;
                dropExpired(s, nowMillis);
                dropExpiredWaiting(s, nowMillis);
                journalTrim(s, trimmedBefore);
                if (s.publications != null && s.publications.isEmpty()) {
                    s.publications = null; // an idle stream holds no queue
                }
                if (s.lastWrite <= forgetBefore && !s.hasWaiting()) {
                    forget(s);
                }
            }
        }
    }

    @Override
    public boolean durable() {
        return journal.durable();
    }

    @Override
    public void afterDurable(Journal.DurableTask task) {
        journal.afterDurable(task);
    }

    /**
     * Puts back a stream that the journal kept, before the store serves: its position and its kept and
     * waiting publications (in offset order, each marked as it was: {@link Publication#waiting()} ones
     * wait, the others are history). What the limits no longer allow (expired, too many, past the byte
     * budgets) is dropped as it would have been, and journaled as dropped.
     */
    public void restore(String stream, Journal.Position position, List<Publication> publications) {
        long now = clock.millis();
        Stream s = create(mapOf(stream), keyOf(stream), stream, now, position.keeps(), position.epoch());
        synchronized (s) {
            s.journaled = true;
            s.top = position.top();
            s.trimmed = position.trimmed();
            long trimmedBefore = s.trimmed;
            for (Publication publication : publications) {
                publication.journaled();
                if (publication.waiting()) {
                    if (publication.expiresAt() > now) {
                        wait(s, publication);
                    } else {
                        s.trimmed = Math.max(s.trimmed, publication.offset());
                        removed(s, publication);
                        inboxExpired.increment();
                    }
                } else if (s.keeps) {
                    keep(s, publication, now);
                } else {
                    removed(s, publication);
                }
            }
            journalTrim(s, trimmedBefore);
        }
        if (bytes.get() > config.maxBytes()) {
            evictForBytes();
        }
    }

    @Override
    public HistoryStats stats() {
        return new HistoryStats(
                size(),
                kept.get(),
                bytes.get(),
                appended.sum(),
                evicted.sum(),
                expired.sum(),
                forgotten.sum(),
                superseded.sum());
    }

    @Override
    public InboxStats inboxStats() {
        return new InboxStats(
                waiting.get(),
                inboxBytes.get(),
                queued.sum(),
                refused.sum(),
                inboxEvicted.sum(),
                inboxExpired.sum(),
                acked.sum());
    }

    @Override
    public HistoryConfig config() {
        return config;
    }

    @Override
    public InboxConfig inboxConfig() {
        return inboxConfig;
    }
}
