package bench;

import org.HdrHistogram.Histogram;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ByteArrayDataType;
import org.rocksdb.*;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.*;
import java.util.*;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Durable message-log micro benchmark: RocksDB (WriteBatch + sync WAL) vs H2 MVStore (commit + fsync).
 *
 * Modes:
 *   fsync   DIR                      raw 4 KiB write + FileChannel.force latency
 *   load    STORE DIR RATE|max [warmupS measureS]   paced group-commit workload
 *   recload STORE DIR                build 1.1M msgs, delete 100k (1M kept), then halt (simulated crash)
 *   recopen STORE DIR                reopen after crash, scan all; close; reopen clean, scan all
 * STORE = rocks | mvstore | mvstore-nobg
 */
public final class StoreBench {

    static final int STREAMS = 10_000;
    static final int VALUE_SIZE = 200;
    static final int KEEP_PER_STREAM = 20;      // steady-state history kept per stream in the load test
    static final int QUEUE_CAP = 32_768;
    static final byte[][] STREAM_NAMES = new byte[STREAMS][];
    static {
        for (int i = 0; i < STREAMS; i++) {
            STREAM_NAMES[i] = String.format("u:user%04d", i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    static byte[] msgKey(int s, long off) {
        byte[] n = STREAM_NAMES[s];
        byte[] k = new byte[n.length + 8];
        System.arraycopy(n, 0, k, 0, n.length);
        for (int i = 0; i < 8; i++) k[n.length + i] = (byte) (off >>> (56 - 8 * i));
        return k;
    }

    static byte[] metaValue(long top, long trimmed, long ts) {
        return ByteBuffer.allocate(24).putLong(top).putLong(trimmed).putLong(ts).array();
    }

    // ------------------------------------------------------------------ stores

    interface Store {
        void put(byte[] k, byte[] v);
        void delete(byte[] k);
        /** make everything put/deleted so far durable (fsync'd) */
        void commitDurable();
        /** iterate everything; returns {messages, metas, valueBytes} */
        long[] scanAll();
        /** for RocksDB: flush memtable (measure deferred write cost) */
        default void flushMemtable() {}
        void close();
        default String stats() { return "{}"; }
    }

    static final class Rocks implements Store {
        static { RocksDB.loadLibrary(); }
        final Options opts;
        final RocksDB db;
        final WriteOptions wo;
        final WriteBatch batch = new WriteBatch();
        Rocks(String dir) throws RocksDBException {
            opts = new Options().setCreateIfMissing(true).setMaxBackgroundJobs(2);
            db = RocksDB.open(opts, dir);
            wo = new WriteOptions().setSync(true).setDisableWAL(false);
        }
        public void put(byte[] k, byte[] v) { try { batch.put(k, v); } catch (RocksDBException e) { throw new RuntimeException(e); } }
        public void delete(byte[] k) { try { batch.delete(k); } catch (RocksDBException e) { throw new RuntimeException(e); } }
        public void commitDurable() {
            try { db.write(wo, batch); } catch (RocksDBException e) { throw new RuntimeException(e); }
            batch.clear();
        }
        public long[] scanAll() {
            long msgs = 0, metas = 0, bytes = 0;
            try (ReadOptions ro = new ReadOptions(); RocksIterator it = db.newIterator(ro)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    byte[] k = it.key();
                    byte[] v = it.value();
                    if (k.length > 10) msgs++; else metas++;
                    bytes += v.length;
                }
            }
            return new long[]{msgs, metas, bytes};
        }
        public void flushMemtable() {
            try (FlushOptions fo = new FlushOptions().setWaitForFlush(true)) { db.flush(fo); }
            catch (RocksDBException e) { throw new RuntimeException(e); }
        }
        void compactAll() { try { db.compactRange(); } catch (RocksDBException e) { throw new RuntimeException(e); } }
        public void close() { batch.close(); wo.close(); db.close(); opts.close(); }
        public String stats() {
            try {
                return "{\"L0files\":" + db.getProperty("rocksdb.num-files-at-level0")
                        + ",\"sstBytes\":" + db.getProperty("rocksdb.total-sst-files-size")
                        + ",\"memtableBytes\":" + db.getProperty("rocksdb.cur-size-all-mem-tables") + "}";
            } catch (RocksDBException e) { return "{}"; }
        }
    }

    static final class Mv implements Store {
        final MVStore store;
        final MVMap<byte[], byte[]> map;
        final MVMap<byte[], byte[]> guard;
        long commitRaces;   // commit() returned -1 although we had unsaved puts
        long seq;
        Mv(String dir, boolean background, int pageSplit, int retentionMs) {
            MVStore.Builder b = new MVStore.Builder().fileName(dir + "/log.mv");
            if (!background) b.autoCommitDisabled();
            if (pageSplit > 0) b.pageSplitSize(pageSplit);
            store = b.open();
            if (retentionMs >= 0) store.setRetentionTime(retentionMs);
            map = store.openMap("log", new MVMap.Builder<byte[], byte[]>()
                    .keyType(ByteArrayDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
            guard = store.openMap("guard", new MVMap.Builder<byte[], byte[]>()
                    .keyType(ByteArrayDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
        }
        public void put(byte[] k, byte[] v) { map.put(k, v); }
        public void delete(byte[] k) { map.remove(k); }
        public void commitDurable() {
            // commit() == store(syncWrite=true): waits until the chunk is written (write(2)), but never fsyncs.
            // It returns -1 without storing if the background writer (or an auto-commit triggered inside put)
            // stored our changes first via store(syncWrite=false), i.e. asynchronously in the H2-serialization /
            // H2-save executors: then the data may not even have reached the file yet. To be sure, force a
            // synchronous store of our own (it queues behind the pending one) before fsyncing.
            long v = store.commit();
            while (v < 0) {
                commitRaces++;
                guard.put(new byte[]{1}, ByteBuffer.allocate(8).putLong(++seq).array());
                v = store.commit();
            }
            store.sync();   // SingleFileStore.sync() -> FileChannel.force(true)
        }
        public long[] scanAll() {
            long msgs = 0, metas = 0, bytes = 0;
            var c = map.cursor(null);
            while (c.hasNext()) {
                byte[] k = c.next();
                byte[] v = c.getValue();
                if (k.length > 10) msgs++; else metas++;
                bytes += v.length;
            }
            return new long[]{msgs, metas, bytes};
        }
        public void close() { store.close(); }
        public String stats() {
            return "{\"commitRaces\":" + commitRaces + ",\"fillRate\":" + store.getFileStore().getFillRate()
                    + ",\"chunksFillRate\":" + store.getFileStore().getChunksFillRate() + "}";
        }
    }

    static Store open(String kind, String dir) throws Exception {
        Files.createDirectories(Paths.get(dir));
        switch (kind) {
            case "rocks": return new Rocks(dir);
            case "noop": return new Store() {   // harness baseline: no storage at all
                public void put(byte[] k, byte[] v) { }
                public void delete(byte[] k) { }
                public void commitDurable() { }
                public long[] scanAll() { return new long[3]; }
                public void close() { }
            };
            case "mvstore": return new Mv(dir, true, 0, -1);           // defaults (background writer on)
            case "mvstore-nobg": return new Mv(dir, false, 0, -1);     // autoCommitDisabled: no background thread
            case "mvstore-4k": return new Mv(dir, true, 4096, -1);     // 4 KiB page split size (default 16 KiB)
            default:
                if (kind.startsWith("mvstore:")) { // mvstore:bg,split,retention
                    String[] p = kind.substring(8).split(",");
                    return new Mv(dir, p[0].equals("1"), Integer.parseInt(p[1]), Integer.parseInt(p[2]));
                }
                throw new IllegalArgumentException(kind);
        }
    }

    // ------------------------------------------------------------------ helpers

    static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    static long[] procIo() {
        long wb = 0, wchar = 0, cancelled = 0;
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/io"))) {
                String[] p = line.split(":\\s*");
                if (p[0].equals("write_bytes")) wb = Long.parseLong(p[1].trim());
                if (p[0].equals("wchar")) wchar = Long.parseLong(p[1].trim());
                if (p[0].equals("cancelled_write_bytes")) cancelled = Long.parseLong(p[1].trim());
            }
        } catch (IOException e) { throw new RuntimeException(e); }
        return new long[]{wb, wchar, cancelled};
    }

    static long dirSize(String dir) throws IOException {
        try (Stream<Path> s = Files.walk(Paths.get(dir))) {
            return s.filter(Files::isRegularFile).mapToLong(p -> { try { return Files.size(p); } catch (IOException e) { return 0; } }).sum();
        }
    }

    static String pct(Histogram h) {
        return String.format(Locale.ROOT, "{\"n\":%d,\"p50\":%d,\"p99\":%d,\"p999\":%d,\"max\":%d,\"mean\":%.1f}",
                h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(99),
                h.getValueAtPercentile(99.9), h.getMaxValue(), h.getMean());
    }

    // ------------------------------------------------------------------ fsync

    static void fsyncBench(String dir) throws Exception {
        Files.createDirectories(Paths.get(dir));
        StringBuilder out = new StringBuilder("{\"mode\":\"fsync\"");
        String[][] variants = {{"append_force_true", "append", "true"}, {"append_force_false", "append", "false"},
                {"overwrite_force_false", "overwrite", "false"}};
        byte[] data = new byte[4096];
        ThreadLocalRandom.current().nextBytes(data);
        for (String[] v : variants) {
            Path f = Paths.get(dir, "fsync-" + v[0] + ".dat");
            Files.deleteIfExists(f);
            Histogram h = new Histogram(10_000_000L, 3);
            try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw"); FileChannel ch = raf.getChannel()) {
                boolean meta = Boolean.parseBoolean(v[2]);
                if (v[1].equals("overwrite")) { ch.write(ByteBuffer.wrap(data), 0); ch.force(true); }
                for (int i = 0; i < 2000; i++) {
                    ByteBuffer bb = ByteBuffer.wrap(data);
                    long t0 = System.nanoTime();
                    if (v[1].equals("append")) ch.write(bb, (long) i * 4096); else ch.write(bb, 0);
                    ch.force(meta);
                    h.recordValue((System.nanoTime() - t0) / 1000);
                }
            }
            Files.deleteIfExists(f);
            out.append(",\"").append(v[0]).append("\":").append(pct(h));
        }
        System.out.println(out.append("}"));
    }

    // ------------------------------------------------------------------ load

    static final class Rec {
        final int stream; final byte[] value; final long intended; final long enq;
        Rec(int stream, byte[] value, long intended, long enq) { this.stream = stream; this.value = value; this.intended = intended; this.enq = enq; }
    }

    /** writer-side per-stream state */
    static long[] top = new long[STREAMS];
    static long[] trimmed = new long[STREAMS];

    static void prefill(Store st, int perStream) {
        byte[] v = new byte[VALUE_SIZE];
        ThreadLocalRandom r = ThreadLocalRandom.current();
        int inBatch = 0;
        for (int s = 0; s < STREAMS; s++) {
            for (int i = 0; i < perStream; i++) {
                r.nextBytes(v);
                st.put(msgKey(s, ++top[s]), v.clone());
                inBatch++;
            }
            st.put(STREAM_NAMES[s], metaValue(top[s], trimmed[s], System.currentTimeMillis()));
            if (inBatch >= 10_000) { st.commitDurable(); inBatch = 0; }
        }
        st.commitDurable();
    }

    static void load(String kind, String dir, String rateArg, int warmupS, int measureS) throws Exception {
        final boolean paced = !rateArg.equals("max");
        final double rate = paced ? Double.parseDouble(rateArg) : 0;
        Store st = open(kind, dir);
        long tp0 = System.nanoTime();
        prefill(st, KEEP_PER_STREAM);
        if (st instanceof Rocks) { st.flushMemtable(); ((Rocks) st).compactAll(); }
        long prefillMs = (System.nanoTime() - tp0) / 1_000_000;
        long sizeAfterPrefill = dirSize(dir);

        byte[] pool = new byte[1 << 20];
        ThreadLocalRandom.current().nextBytes(pool);
        ArrayBlockingQueue<Rec> q = new ArrayBlockingQueue<>(QUEUE_CAP);
        AtomicBoolean producing = new AtomicBoolean(true);
        AtomicBoolean writing = new AtomicBoolean(true);

        final long start = System.nanoTime() + 200_000_000L;
        final long mStart = start + warmupS * 1_000_000_000L;
        final long mEnd = mStart + measureS * 1_000_000_000L;

        Thread[] producers = new Thread[2];
        for (int p = 0; p < 2; p++) {
            producers[p] = new Thread(() -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                double perProducer = rate / 2;
                long sent = 0;
                while (System.nanoTime() < start) LockSupport.parkNanos(1_000_000);
                try {
                    while (producing.get()) {
                        long now = System.nanoTime();
                        if (paced) {
                            long due = (long) ((now - start) * perProducer / 1e9);
                            while (sent < due && producing.get()) {
                                long intended = start + (long) (sent * 1e9 / perProducer);
                                q.put(mkRec(r, pool, intended));
                                sent++;
                            }
                            LockSupport.parkNanos(1_000_000);
                        } else {
                            q.put(mkRec(r, pool, System.nanoTime()));
                        }
                    }
                } catch (InterruptedException ignored) { }
            }, "producer-" + p);
        }

        Histogram latEnq = new Histogram(3_600_000_000L, 3);      // µs, enqueue -> durable
        Histogram latIntended = new Histogram(3_600_000_000L, 3); // µs, intended send time -> durable
        Histogram batchSize = new Histogram(1_000_000L, 3);
        Histogram commitUs = new Histogram(3_600_000_000L, 3);    // µs, store write + fsync per batch
        long[] counters = new long[4]; // acked in window, batches in window, total acked, deletes
        Thread writer = new Thread(() -> {
            ArrayList<Rec> batch = new ArrayList<>(QUEUE_CAP);
            try {
                while (writing.get() || !q.isEmpty()) {
                    Rec first = q.poll(5, java.util.concurrent.TimeUnit.MILLISECONDS);
                    if (first == null) continue;
                    batch.add(first);
                    q.drainTo(batch);
                    long t0 = System.nanoTime();
                    long ts = System.currentTimeMillis();
                    for (Rec rec : batch) {
                        int s = rec.stream;
                        long off = ++top[s];
                        st.put(msgKey(s, off), rec.value);
                        if (off - trimmed[s] > KEEP_PER_STREAM) {
                            st.delete(msgKey(s, ++trimmed[s]));
                            counters[3]++;
                        }
                        st.put(STREAM_NAMES[s], metaValue(off, trimmed[s], ts));
                    }
                    st.commitDurable();
                    long t1 = System.nanoTime();
                    // acknowledge
                    for (Rec rec : batch) {
                        if (rec.enq >= mStart && rec.enq < mEnd) {
                            latEnq.recordValue(Math.max(0, (t1 - rec.enq) / 1000));
                            latIntended.recordValue(Math.max(0, (t1 - rec.intended) / 1000));
                        }
                    }
                    if (t1 >= mStart && t1 < mEnd) {
                        counters[0] += batch.size();
                        counters[1]++;
                        batchSize.recordValue(batch.size());
                        commitUs.recordValue((t1 - t0) / 1000);
                    }
                    counters[2] += batch.size();
                    batch.clear();
                }
            } catch (InterruptedException ignored) { }
        }, "writer");

        writer.start();
        for (Thread t : producers) t.start();
        sleepUntil(mStart);
        long cpu0 = OS.getProcessCpuTime();
        long[] io0 = procIo();
        sleepUntil(mEnd);
        long cpu1 = OS.getProcessCpuTime();
        long[] io1 = procIo();
        producing.set(false);
        for (Thread t : producers) { t.interrupt(); t.join(); }
        writing.set(false);
        writer.join();

        long acked = counters[0];
        long[] ioF0 = procIo();
        long tf0 = System.nanoTime();
        String storeStats = st.stats();
        st.flushMemtable();    // no-op for MVStore
        long flushMs = (System.nanoTime() - tf0) / 1_000_000;
        long[] ioF1 = procIo();
        st.close();
        long size = dirSize(dir);

        System.out.println(String.format(Locale.ROOT,
                "{\"mode\":\"load\",\"store\":\"%s\",\"rate\":\"%s\",\"measureS\":%d,\"achieved\":%.1f,\"batches\":%d,"
                        + "\"batchSize\":%s,\"latEnqUs\":%s,\"latIntendedUs\":%s,\"commitUs\":%s,"
                        + "\"cpuUsPerRec\":%.3f,\"cpuCores\":%.3f,\"writeBytesPerRec\":%.1f,\"wcharPerRec\":%.1f,\"cancelledPerRec\":%.1f,"
                        + "\"flushWriteBytesPerRec\":%.1f,\"flushMs\":%d,\"sizeBytes\":%d,\"sizeAfterPrefill\":%d,\"prefillMs\":%d,"
                        + "\"totalAcked\":%d,\"deletes\":%d,\"storeStats\":%s}",
                kind, rateArg, measureS, acked / (double) measureS, counters[1],
                pct(batchSize), pct(latEnq), pct(latIntended), pct(commitUs),
                (cpu1 - cpu0) / 1000.0 / acked, (cpu1 - cpu0) / 1e9 / measureS,
                (io1[0] - io0[0]) / (double) acked, (io1[1] - io0[1]) / (double) acked, (io1[2] - io0[2]) / (double) acked,
                (ioF1[0] - ioF0[0]) / (double) acked, flushMs, size, sizeAfterPrefill, prefillMs,
                counters[2], counters[3], storeStats));
    }

    static Rec mkRec(ThreadLocalRandom r, byte[] pool, long intended) {
        byte[] v = new byte[VALUE_SIZE];
        System.arraycopy(pool, r.nextInt(pool.length - VALUE_SIZE), v, 0, VALUE_SIZE);
        return new Rec(r.nextInt(STREAMS), v, intended, System.nanoTime());
    }

    static void sleepUntil(long t) {
        long d;
        while ((d = t - System.nanoTime()) > 0) LockSupport.parkNanos(Math.min(d, 100_000_000L));
    }

    // ------------------------------------------------------------------ recovery

    static final int REC_PER_STREAM = 110;   // 1.1M messages
    static final int REC_DELETE_PER_STREAM = 10; // 100k deletes -> 1.0M kept

    static void recLoad(String kind, String dir) throws Exception {
        Store st = open(kind, dir);
        long t0 = System.nanoTime();
        long[] io0 = procIo();
        byte[] pool = new byte[1 << 20];
        ThreadLocalRandom r = ThreadLocalRandom.current();
        r.nextBytes(pool);
        int inBatch = 0;
        long inserted = 0;
        for (int s = 0; s < STREAMS; s++) {
            for (int i = 1; i <= REC_PER_STREAM; i++) {
                byte[] v = new byte[VALUE_SIZE];
                System.arraycopy(pool, r.nextInt(pool.length - VALUE_SIZE), v, 0, VALUE_SIZE);
                st.put(msgKey(s, i), v);
                if (++inBatch >= 10_000) { st.commitDurable(); inBatch = 0; }
                // RocksDB: flush at 900k so that the last ~200k appends + all deletes (~50 MB) sit only in
                // the WAL/memtable at the crash -> near worst-case WAL replay (memtable limit is 64 MB)
                if (++inserted == 900_000) { st.commitDurable(); inBatch = 0; st.flushMemtable(); }
            }
            st.put(STREAM_NAMES[s], metaValue(REC_PER_STREAM, 0, System.currentTimeMillis()));
        }
        st.commitDurable();
        long t1 = System.nanoTime();
        inBatch = 0;
        for (int s = 0; s < STREAMS; s++) {
            for (int i = 1; i <= REC_DELETE_PER_STREAM; i++) {
                st.delete(msgKey(s, i));
                if (++inBatch >= 10_000) { st.commitDurable(); inBatch = 0; }
            }
            st.put(STREAM_NAMES[s], metaValue(REC_PER_STREAM, REC_DELETE_PER_STREAM, System.currentTimeMillis()));
        }
        st.commitDurable();
        long t2 = System.nanoTime();
        long[] io1 = procIo();
        System.out.println(String.format(Locale.ROOT,
                "{\"mode\":\"recload\",\"store\":\"%s\",\"loadMs\":%d,\"deleteMs\":%d,\"writeBytes\":%d,\"sizeBytes\":%d,\"storeStats\":%s}",
                kind, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, io1[0] - io0[0], dirSize(dir), st.stats()));
        System.out.flush();
        Runtime.getRuntime().halt(0);   // simulated crash: no close(), no flush
    }

    static void recOpen(String kind, String dir) throws Exception {
        long sizeBefore = dirSize(dir);
        long walBytes = 0;
        try (Stream<Path> s = Files.list(Paths.get(dir))) {
            walBytes = s.filter(p -> p.toString().endsWith(".log")).mapToLong(p -> p.toFile().length()).sum();
        }
        // load native library / classes outside the timed section
        String warmDir = dir + "-warm";
        Store w = open(kind, warmDir);
        w.put(new byte[]{1}, new byte[]{1});
        w.commitDurable();
        w.scanAll();
        w.close();
        long t0 = System.nanoTime();
        Store st = open(kind, dir);
        long t1 = System.nanoTime();
        long[] c1 = st.scanAll();
        long t2 = System.nanoTime();
        st.close();
        long t3 = System.nanoTime();
        long sizeAfterClose = dirSize(dir);
        long t4 = System.nanoTime();
        Store st2 = open(kind, dir);
        long t5 = System.nanoTime();
        long[] c2 = st2.scanAll();
        long t6 = System.nanoTime();
        st2.close();
        System.out.println(String.format(Locale.ROOT,
                "{\"mode\":\"recopen\",\"store\":\"%s\",\"crashOpenMs\":%.1f,\"crashScanMs\":%.1f,\"closeMs\":%.1f,"
                        + "\"cleanOpenMs\":%.1f,\"cleanScanMs\":%.1f,\"msgs\":%d,\"metas\":%d,\"valueBytes\":%d,\"msgs2\":%d,"
                        + "\"sizeBeforeOpen\":%d,\"sizeAfterClose\":%d,\"walBytesAtCrash\":%d}",
                kind, (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, (t5 - t4) / 1e6, (t6 - t5) / 1e6,
                c1[0], c1[1], c1[2], c2[0], sizeBefore, sizeAfterClose, walBytes));
    }

    public static void main(String[] a) throws Exception {
        switch (a[0]) {
            case "fsync": fsyncBench(a[1]); break;
            case "load": load(a[1], a[2], a[3], a.length > 4 ? Integer.parseInt(a[4]) : 5, a.length > 5 ? Integer.parseInt(a[5]) : 20); break;
            case "recload": recLoad(a[1], a[2]); break;
            case "recopen": recOpen(a[1], a[2]); break;
            default: throw new IllegalArgumentException(a[0]);
        }
        System.exit(0);
    }
}
