package dev.herald.core.history;

import dev.herald.core.Message;
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
 * Streams in this process's memory: positions and kept messages are lost with the process, and every
 * stream gets a new epoch after a restart.
 *
 * <p>Bounded everywhere ({@link HistoryConfig}): each stream keeps at most {@code size} messages, none
 * older than {@code ttl} (checked on every append and read, and by {@link #sweep}); when all kept
 * messages together pass {@code maxBytes}, the oldest message of one stream after another is dropped
 * (round-robin over the streams that keep any: each gives up its oldest in turn, so the loss is spread
 * over the streams instead of emptying the least recently written ones first; a quiet stream still
 * loses one message per turn, like a busy one); a
 * stream's position is forgotten {@code metaTtl} after its last message, and when more than {@code
 * maxStreams} are remembered the least recently written are forgotten first (approximately: a
 * second-chance queue, so that no append ever sorts).
 *
 * <p>Thread-safe: each stream is one monitor, held while a message is appended and delivered.
 */
public final class MemoryStreamStore implements StreamStore {

    private final HistoryConfig config;
    private final Clock clock;
    private final ConcurrentHashMap<String, Stream> streams = new ConcurrentHashMap<>();
    /** Every remembered stream once, oldest first: who is forgotten when there are too many. */
    private final ConcurrentLinkedQueue<Stream> byAge = new ConcurrentLinkedQueue<>();
    /** The streams that keep messages, each once: who gives up its oldest when the byte budget is spent. */
    private final ConcurrentLinkedQueue<Stream> keeping = new ConcurrentLinkedQueue<>();

    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong kept = new AtomicLong();
    private final LongAdder appended = new LongAdder();
    private final LongAdder evicted = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final LongAdder forgotten = new LongAdder();

    public MemoryStreamStore(HistoryConfig config) {
        this(config, Clock.systemUTC());
    }

    public MemoryStreamStore(HistoryConfig config, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** One stream; its monitor orders its appends. */
    private static final class Stream {
        final String name;
        final String epoch;
        final boolean keeps;
        long top;
        /** The newest offset history dropped: offsets up to it that are not kept are gone. */
        long trimmed;

        long lastWrite;
        /** When it last entered {@link #byAge}: written after that, it gets a second chance. */
        long queuedAt;

        ArrayDeque<Publication> publications;
        boolean inKeeping;
        /** Read without the monitor only to purge the queues. */
        volatile boolean forgotten;

        Stream(String name, boolean keeps, long now) {
            this.name = name;
            this.keeps = keeps;
            this.epoch = newEpoch();
            this.lastWrite = now;
            this.queuedAt = now;
        }
    }

    /** A random epoch: 48 bits in base 36, so a stream that is forgotten and written again gets another. */
    static String newEpoch() {
        return Long.toString(ThreadLocalRandom.current().nextLong() & 0xFFFF_FFFF_FFFFL, 36);
    }

    @Override
    public <C, R> R append(String stream, Message message, Set<String> exceptUids, C context, Delivery<C, R> delivery) {
        long now = clock.millis();
        while (true) {
            Stream s = streams.get(stream);
            if (s == null) {
                s = create(stream, now);
            }
            R result;
            synchronized (s) {
                if (s.forgotten) {
                    continue; // forgotten meanwhile: a new stream, under a new epoch
                }
                Publication publication = new Publication(stream, s.epoch, ++s.top, message, exceptUids, now);
                s.lastWrite = now;
                appended.increment();
                if (s.keeps) {
                    keep(s, publication, now);
                }
                result = delivery.deliver(publication, context);
            }
            if (bytes.get() > config.maxBytes()) {
                evictForBytes();
            }
            return result;
        }
    }

    private Stream create(String name, long now) {
        Stream fresh = new Stream(name, config.keeps(name), now);
        Stream raced = streams.putIfAbsent(name, fresh);
        if (raced != null) {
            return raced;
        }
        byAge.add(fresh);
        if (streams.size() > config.maxStreams()) {
            forgetOldest();
        }
        return fresh;
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

    /** Drops one kept publication (the stream's oldest); on the stream's monitor. */
    private void drop(Stream s, Publication publication) {
        s.trimmed = Math.max(s.trimmed, publication.offset());
        kept.decrementAndGet();
        bytes.addAndGet(-publication.cost());
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
                    drop(s, s.publications.pollFirst());
                    evicted.increment();
                }
                if (s.publications != null && !s.publications.isEmpty() && !s.forgotten) {
                    s.inKeeping = true;
                    keeping.add(s);
                }
            }
        }
    }

    /** Forgets the least recently written streams until a tenth of the limit is free again. */
    private void forgetOldest() {
        int target = config.maxStreams() - Math.max(1, config.maxStreams() / 10);
        int visits = streams.size() * 2 + 16; // each stream gets at most one second chance
        while (streams.size() > target && visits-- > 0) {
            Stream s = byAge.poll();
            if (s == null) {
                return;
            }
            synchronized (s) {
                if (s.forgotten) {
                    continue;
                }
                if (s.lastWrite > s.queuedAt) {
                    s.queuedAt = s.lastWrite; // written since it was queued: once more to the back
                    byAge.add(s);
                    continue;
                }
                forget(s);
            }
        }
    }

    /** Forgets a stream: its position and kept messages. On the stream's monitor. */
    private void forget(Stream s) {
        s.forgotten = true;
        if (s.publications != null) {
            for (Publication publication : s.publications) {
                drop(s, publication);
            }
            s.publications = null;
        }
        streams.remove(s.name, s);
        forgotten.increment();
    }

    @Override
    public HistoryWindow read(String stream, StreamPosition since, int limit) {
        Stream s = streams.get(stream);
        if (s == null) {
            return HistoryWindow.UNKNOWN;
        }
        synchronized (s) {
            if (s.forgotten) {
                return HistoryWindow.UNKNOWN;
            }
            if (s.publications != null) {
                dropExpired(s, clock.millis());
            }
            // A stream that keeps nothing has lost all it had; one that keeps has lost up to what it dropped.
            long trimmed = s.keeps ? s.trimmed : s.top;
            if (s.publications == null || s.publications.isEmpty() || limit <= 0) {
                return new HistoryWindow(s.epoch, s.top, limit <= 0 ? s.top : trimmed, List.of());
            }
            // A position of another epoch, or past the last offset, is not in this stream: all that is kept.
            long after = since != null && since.epoch().equals(s.epoch) && since.offset() <= s.top ? since.offset() : 0;
            List<Publication> newest = new ArrayList<>();
            Iterator<Publication> it = s.publications.descendingIterator();
            boolean cut = false;
            while (it.hasNext()) {
                Publication publication = it.next();
                if (publication.offset() <= after) {
                    break;
                }
                if (newest.size() == limit) {
                    cut = true; // older ones are kept but will not be replayed: gone for this reader
                    break;
                }
                newest.add(publication);
            }
            List<Publication> oldestFirst = new ArrayList<>(newest.size());
            for (int i = newest.size() - 1; i >= 0; i--) {
                oldestFirst.add(newest.get(i));
            }
            if (cut) {
                trimmed = Math.max(trimmed, oldestFirst.get(0).offset() - 1);
            }
            return new HistoryWindow(s.epoch, s.top, trimmed, oldestFirst);
        }
    }

    @Override
    public void sweep(long nowMillis) {
        long forgetBefore = nowMillis - config.metaTtl().toMillis();
        for (Stream s : streams.values()) {
            synchronized (s) {
                if (s.forgotten) {
                    continue;
                }
                dropExpired(s, nowMillis);
                if (s.publications != null && s.publications.isEmpty()) {
                    s.publications = null; // an idle stream holds no queue
                }
                if (s.lastWrite <= forgetBefore) {
                    forget(s);
                }
            }
        }
        // Forgotten streams leave the queues lazily; purge them so that the queues stay as small as the map.
        byAge.removeIf(s -> s.forgotten);
        keeping.removeIf(s -> s.forgotten);
    }

    @Override
    public HistoryStats stats() {
        return new HistoryStats(
                streams.size(), kept.get(), bytes.get(), appended.sum(), evicted.sum(), expired.sum(), forgotten.sum());
    }

    @Override
    public HistoryConfig config() {
        return config;
    }
}
