package dev.herald.store;

import dev.herald.core.PushResult;
import dev.herald.core.Receipt;
import dev.herald.core.history.Publication;
import dev.herald.core.store.Journal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.VectorMemTableConfig;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal in a RocksDB database in the data directory ({@code store.path}). Changes are queued by
 * the threads that make them and written by one writer thread: it takes everything queued, writes it
 * as one batch and, with {@code fsync}, syncs the write-ahead log once for the whole batch (group
 * commit: while one sync runs, the next batch gathers), then runs the {@link #afterDurable} tasks that
 * waited for it, in order.
 *
 * <p>What a crash can lose: with {@code fsync}, nothing that a task was released for (a reply, a
 * delivery): those follow the sync. Without it, RocksDB has written the batch to the operating system
 * before the tasks run, so a killed process loses nothing either, but a power loss or a kernel crash
 * loses what the OS had not flushed yet (seconds).
 */
public final class RocksJournal implements Journal {

    private static final Logger log = LoggerFactory.getLogger(RocksJournal.class);

    /** Most changes written in one batch; more wait for the next. */
    static final int MAX_BATCH = 16_384;

    static {
        RocksDB.loadLibrary();
    }

    private final Path path;
    private final boolean fsync;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final RocksDB db;
    private final ColumnFamilyHandle defaultFamily;
    private final ColumnFamilyHandle positions;
    private final ColumnFamilyHandle messages;
    private final ColumnFamilyHandle ids;
    private final ColumnFamilyHandle receipts;
    private final WriteOptions writeOptions;

    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    private final Thread writer;
    private volatile boolean sleeping;
    private volatile boolean closing;

    private final LongAdder batches = new LongAdder();
    private final LongAdder changes = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder batchNanos = new LongAdder();
    /** Told each batch's write time (nanoseconds), for {@code /metrics}. */
    private volatile LongConsumer onBatch = nanos -> {};

    private record Appended(Publication publication, Position position) {}

    private record Moved(String stream, Position position) {}

    private record Removed(String stream, long offset) {}

    private record Forgotten(String stream) {}

    private record IdClaimed(String key, long expiresAt, PushResult result) {}

    private record IdForgotten(String key) {}

    private record ReceiptForgotten(String id) {}

    private RocksJournal(Path path, boolean fsync) throws RocksDBException {
        this.path = path;
        this.fsync = fsync;
        this.dbOptions = new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setMaxTotalWalSize(64L << 20)
                .setKeepLogFileNum(4)
                // Table files are synced a megabyte at a time as they are written, so that a flush
                // or a compaction never leaves so much dirty data that the log's sync waits behind it.
                .setBytesPerSync(1L << 20)
                .setAllowConcurrentMemtableWrite(false); // one writer thread; the vector memtable needs it
        // The journal is written all day and read once, at start: a vector memtable appends in constant
        // time (it is sorted when flushed) where the default skip list spends most of the writer's time
        // finding each key's place (measured: 39% of the writer thread at 20,000 pushes/s).
        this.cfOptions = new ColumnFamilyOptions().setMemTableConfig(new VectorMemTableConfig());
        List<ColumnFamilyDescriptor> descriptors = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions),
                new ColumnFamilyDescriptor(Records.utf8("positions"), cfOptions),
                new ColumnFamilyDescriptor(Records.utf8("messages"), cfOptions),
                new ColumnFamilyDescriptor(Records.utf8("ids"), cfOptions),
                new ColumnFamilyDescriptor(Records.utf8("receipts"), cfOptions));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        this.db = RocksDB.open(dbOptions, path.toString(), descriptors, handles);
        this.defaultFamily = handles.get(0);
        this.positions = handles.get(1);
        this.messages = handles.get(2);
        this.ids = handles.get(3);
        this.receipts = handles.get(4);
        this.writeOptions = new WriteOptions().setSync(fsync);
        this.writer = new Thread(this::writeLoop, "herald-store");
        this.writer.setDaemon(true);
    }

    /**
     * Opens (or creates) the journal in {@code directory}; {@link #start} its writer once what it holds
     * was restored ({@link #restore}).
     *
     * @param fsync whether each batch is synced to the disk before the tasks that wait for it run
     */
    public static RocksJournal open(Path directory, boolean fsync) {
        Objects.requireNonNull(directory, "directory");
        try {
            Files.createDirectories(directory);
            return new RocksJournal(directory.toAbsolutePath(), fsync);
        } catch (RocksDBException e) {
            throw new StoreException("cannot open the data directory " + directory + ": " + e.getMessage(), e);
        } catch (java.io.IOException e) {
            throw new StoreException("cannot create the data directory " + directory + ": " + e.getMessage(), e);
        }
    }

    /** Starts writing what is queued. */
    public void start() {
        writer.start();
    }

    public Path path() {
        return path;
    }

    /** Reads back everything the journal holds, in the order {@link Restore} wants it. */
    public void restore(Restore into) {
        try (RocksIterator it = db.newIterator(receipts)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                into.receipt(Records.receipt(it.value()));
            }
        }
        try (RocksIterator it = db.newIterator(ids)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                Records.Id id = Records.id(it.value());
                into.id(Records.text(it.key()), id.expiresAt(), id.result());
            }
        }
        Map<String, Position> known = new HashMap<>();
        try (RocksIterator it = db.newIterator(positions)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                known.put(Records.text(it.key()), Records.position(it.value()));
            }
        }
        String stream = null;
        List<Publication> kept = new ArrayList<>();
        try (RocksIterator it = db.newIterator(messages)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] key = it.key();
                String of = Records.streamOf(key);
                if (!of.equals(stream)) {
                    flush(into, stream, known, kept);
                    stream = of;
                }
                Position position = known.get(of);
                if (position == null) {
                    removed(of, Records.offsetOf(key)); // no position: left from a forgotten stream
                    continue;
                }
                kept.add(Records.publication(
                        of, position.epoch(), Records.offsetOf(key), it.value(), into::receiptById));
            }
        }
        flush(into, stream, known, kept);
        known.forEach((name, position) -> into.stream(name, position, List.of())); // keep no message now
    }

    private static void flush(Restore into, String stream, Map<String, Position> known, List<Publication> kept) {
        if (stream != null && known.containsKey(stream)) {
            into.stream(stream, known.remove(stream), List.copyOf(kept));
        }
        kept.clear();
    }

    /** Where {@link #restore} puts what it reads: receipts first, then ids, then streams. */
    public interface Restore {
        void receipt(Receipt receipt);

        /** A restored receipt by id, for the messages that report to it; {@code null} if none. */
        Receipt receiptById(String id);

        void id(String key, long expiresAt, PushResult result);

        void stream(String stream, Position position, List<Publication> publications);
    }

    @Override
    public void appended(Publication publication, Position position) {
        enqueue(new Appended(publication, position));
    }

    @Override
    public void position(String stream, Position position) {
        enqueue(new Moved(stream, position));
    }

    @Override
    public void removed(String stream, long offset) {
        enqueue(new Removed(stream, offset));
    }

    @Override
    public void forgotten(String stream) {
        enqueue(new Forgotten(stream));
    }

    @Override
    public void idClaimed(String key, long expiresAt, PushResult result) {
        enqueue(new IdClaimed(key, expiresAt, result));
    }

    @Override
    public void idForgotten(String key) {
        enqueue(new IdForgotten(key));
    }

    @Override
    public void receiptChanged(Receipt receipt) {
        enqueue(receipt);
    }

    @Override
    public void receiptForgotten(String id) {
        enqueue(new ReceiptForgotten(id));
    }

    @Override
    public boolean durable() {
        return true;
    }

    @Override
    public void afterDurable(DurableTask task) {
        enqueue(task);
    }

    private void enqueue(Object change) {
        queue.offer(change);
        if (sleeping) {
            LockSupport.unpark(writer);
        }
    }

    /** Batches and changes written so far, failed batches, and time spent writing. */
    public StoreStats stats() {
        return new StoreStats(fsync, batches.sum(), changes.sum(), failures.sum(), batchNanos.sum());
    }

    /** Tells {@code listener} each batch's write time, in nanoseconds (from the writer thread). */
    public void onBatch(LongConsumer listener) {
        this.onBatch = Objects.requireNonNull(listener, "listener");
    }

    private void writeLoop() {
        List<Object> batch = new ArrayList<>();
        List<DurableTask> tasks = new ArrayList<>();
        while (true) {
            Object change = queue.poll();
            if (change == null) {
                if (closing) {
                    return;
                }
                sleeping = true;
                if (queue.isEmpty()) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                }
                sleeping = false;
                continue;
            }
            do {
                if (change instanceof DurableTask task) {
                    tasks.add(task);
                } else {
                    batch.add(change);
                }
            } while (batch.size() < MAX_BATCH && (change = queue.poll()) != null);
            Throwable failure = write(batch);
            batch.clear();
            for (DurableTask task : tasks) {
                try {
                    task.run(failure);
                } catch (RuntimeException e) {
                    log.error("a task that waited for the store failed", e);
                }
            }
            tasks.clear();
        }
    }

    /** Writes one batch; {@code null} when it is durable, the failure otherwise. */
    private Throwable write(List<Object> batch) {
        if (batch.isEmpty()) {
            return null;
        }
        long start = System.nanoTime();
        Map<String, Position> moved = new HashMap<>();
        try (WriteBatch write = new WriteBatch()) {
            for (Object change : batch) {
                add(write, change, moved);
            }
            for (Map.Entry<String, Position> entry : moved.entrySet()) {
                write.put(positions, Records.utf8(entry.getKey()), Records.position(entry.getValue()));
            }
            db.write(writeOptions, write);
            batches.increment();
            changes.add(batch.size());
            long took = System.nanoTime() - start;
            batchNanos.add(took);
            onBatch.accept(took);
            return null;
        } catch (RocksDBException | RuntimeException e) {
            failures.increment();
            log.error("cannot write {} changes to the data directory {}: {}", batch.size(), path, e.toString());
            return e;
        }
    }

    private void add(WriteBatch write, Object change, Map<String, Position> moved) throws RocksDBException {
        if (change instanceof Appended a) {
            Publication publication = a.publication();
            write.put(
                    messages,
                    Records.messageKey(publication.stream(), publication.offset()),
                    Records.publication(publication));
            moved.put(publication.stream(), a.position());
        } else if (change instanceof Moved m) {
            moved.put(m.stream(), m.position());
        } else if (change instanceof Removed r) {
            write.delete(messages, Records.messageKey(r.stream(), r.offset()));
        } else if (change instanceof Forgotten f) {
            moved.remove(f.stream());
            write.delete(positions, Records.utf8(f.stream()));
            write.deleteRange(
                    messages, Records.messageKey(f.stream(), 0), Records.messageKey(f.stream(), Long.MAX_VALUE));
            write.delete(messages, Records.messageKey(f.stream(), Long.MAX_VALUE));
        } else if (change instanceof IdClaimed c) {
            write.put(ids, Records.utf8(c.key()), Records.id(c.expiresAt(), c.result()));
        } else if (change instanceof IdForgotten f) {
            write.delete(ids, Records.utf8(f.key()));
        } else if (change instanceof Receipt receipt) {
            write.put(receipts, Records.utf8(receipt.id()), Records.receipt(receipt));
        } else if (change instanceof ReceiptForgotten f) {
            write.delete(receipts, Records.utf8(f.id()));
        }
    }

    /**
     * Waits until everything queued before the call is durable, then moves what the write-ahead log
     * holds into table files (as RocksDB does by itself when a memtable fills): a restart then reads
     * them instead of replaying the log.
     */
    public void flush() {
        java.util.concurrent.CompletableFuture<Void> written = new java.util.concurrent.CompletableFuture<>();
        afterDurable(failure -> {
            if (failure != null) {
                written.completeExceptionally(failure);
            } else {
                written.complete(null);
            }
        });
        written.join();
        try (FlushOptions options = new FlushOptions().setWaitForFlush(true)) {
            db.flush(options, List.of(positions, messages, ids, receipts));
        } catch (RocksDBException e) {
            throw new StoreException("cannot flush the data directory " + path + ": " + e.getMessage(), e);
        }
    }

    /** Writes what is queued, stops the writer and closes the database. */
    @Override
    public void close() {
        closing = true;
        LockSupport.unpark(writer);
        if (writer.isAlive()) {
            try {
                writer.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            db.syncWal();
        } catch (RocksDBException e) {
            log.warn("cannot sync the data directory {} at close: {}", path, e.toString());
        }
        writeOptions.close();
        for (ColumnFamilyHandle handle : List.of(positions, messages, ids, receipts, defaultFamily)) {
            handle.close();
        }
        db.close();
        cfOptions.close();
        dbOptions.close();
    }
}
