package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Hub;
import dev.herald.core.Session;
import dev.herald.core.engine.Engine;
import dev.herald.core.engine.EngineContract;
import dev.herald.core.engine.MemoryEngine;
import dev.herald.core.history.HistoryConfig;
import dev.herald.core.history.InboxConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine contract on one node with a data directory: every delivery of a stream that keeps history
 * waits for the disk, and the contract holds all the same.
 */
class DurableEngineContractTest extends EngineContract {

    @TempDir
    Path dir;

    private final Hub hub = new Hub();
    private DataDirectory data;
    private MemoryEngine engine;

    @BeforeEach
    void open() {
        data = DataDirectory.open(
                dir,
                true,
                new HistoryConfig(
                        HistoryConfig.DEFAULT_SIZE,
                        HistoryConfig.DEFAULT_TTL,
                        HistoryConfig.DEFAULT_MAX_BYTES,
                        List.of(),
                        false,
                        HistoryConfig.DEFAULT_MAX_REPLAY,
                        HistoryConfig.DEFAULT_MAX_STREAMS,
                        HistoryConfig.DEFAULT_META_TTL,
                        HistoryConfig.Uids.ALL),
                InboxConfig.DEFAULTS,
                Duration.ofMinutes(5),
                1000,
                Duration.ofHours(1),
                1000,
                Clock.systemUTC());
        engine = new MemoryEngine(hub, data.streams(), data.ids(), data.receipts());
    }

    @AfterEach
    void close() {
        data.close();
    }

    @Override
    protected Engine engine() {
        return engine;
    }

    @Override
    protected void bind(Session session, String uid) {
        hub.register(session);
        assertThat(hub.bind(session, uid)).isTrue();
    }

    @Override
    protected void disconnect(Session session) {
        hub.unregister(session);
    }
}
