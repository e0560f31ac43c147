package dev.herald.store;

import dev.herald.core.PushResult;
import dev.herald.core.Receipt;
import dev.herald.core.engine.IdempotencyIds;
import dev.herald.core.engine.Receipts;
import dev.herald.core.history.HistoryConfig;
import dev.herald.core.history.InboxConfig;
import dev.herald.core.history.MemoryStreamStore;
import dev.herald.core.history.Publication;
import dev.herald.core.store.Journal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data directory ({@code store.path}): the stores an engine serves from (streams, idempotency ids,
 * receipts), journaled to a {@link RocksJournal} there and filled, when opened, with what it held.
 */
public final class DataDirectory implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DataDirectory.class);

    /** What was restored at open. */
    public record Restored(int streams, int messages, int ids, int receipts, Duration took) {}

    private final RocksJournal journal;
    private final MemoryStreamStore streams;
    private final IdempotencyIds ids;
    private final Receipts receipts;
    private final Restored restored;

    private DataDirectory(
            RocksJournal journal, MemoryStreamStore streams, IdempotencyIds ids, Receipts receipts, Restored restored) {
        this.journal = journal;
        this.streams = streams;
        this.ids = ids;
        this.receipts = receipts;
        this.restored = restored;
    }

    /**
     * Opens the data directory (creating it if needed), restores what it holds under today's limits, and
     * starts writing.
     *
     * @throws StoreException if it cannot be opened or read
     */
    public static DataDirectory open(
            Path path,
            boolean fsync,
            HistoryConfig history,
            InboxConfig inbox,
            Duration idWindow,
            int maxIds,
            Duration receiptsTtl,
            int maxReceipts,
            Clock clock) {
        long start = System.nanoTime();
        RocksJournal journal = RocksJournal.open(path, fsync);
        try {
            MemoryStreamStore streams = new MemoryStreamStore(history, inbox, clock, journal);
            IdempotencyIds ids = new IdempotencyIds(idWindow, maxIds, clock, journal);
            Receipts receipts = new Receipts(receiptsTtl, maxReceipts, clock, journal);
            int[] counts = new int[4];
            Map<String, Receipt> byId = new HashMap<>();
            journal.restore(new RocksJournal.Restore() {
                @Override
                public void receipt(Receipt receipt) {
                    byId.put(receipt.id(), receipt);
                    counts[3]++;
                }

                @Override
                public Receipt receiptById(String id) {
                    return byId.get(id);
                }

                @Override
                public void id(String key, long expiresAt, PushResult result) {
                    ids.restore(key, expiresAt, result);
                    counts[2]++;
                }

                @Override
                public void stream(String stream, Journal.Position position, List<Publication> publications) {
                    streams.restore(stream, position, publications);
                    for (Publication publication : publications) {
                        // A push whose result was not journaled yet: its retry is still a duplicate.
                        String idKey = publication.message().idKey();
                        if (idKey != null) {
                            ids.restore(idKey, publication.time() + ids.windowMillis(), PushResult.NONE);
                        }
                    }
                    counts[0]++;
                    counts[1] += publications.size();
                }
            });
            byId.values().stream()
                    .sorted(java.util.Comparator.comparingLong(Receipt::createdAt))
                    .forEach(receipts::restore);
            Restored restored = new Restored(
                    counts[0], counts[1], counts[2], counts[3], Duration.ofNanos(System.nanoTime() - start));
            journal.start();
            log.info(
                    "data directory {} (fsync {}): restored {} streams, {} messages, {} ids, {} receipts in {} ms",
                    journal.path(),
                    fsync,
                    restored.streams(),
                    restored.messages(),
                    restored.ids(),
                    restored.receipts(),
                    restored.took().toMillis());
            return new DataDirectory(journal, streams, ids, receipts, restored);
        } catch (RuntimeException e) {
            journal.close();
            throw e instanceof StoreException
                    ? e
                    : new StoreException("cannot read the data directory " + path + ": " + e, e);
        }
    }

    public MemoryStreamStore streams() {
        return streams;
    }

    public IdempotencyIds ids() {
        return ids;
    }

    public Receipts receipts() {
        return receipts;
    }

    public RocksJournal journal() {
        return journal;
    }

    public Restored restored() {
        return restored;
    }

    /** Writes what is queued and closes the database. */
    @Override
    public void close() {
        journal.close();
    }
}
