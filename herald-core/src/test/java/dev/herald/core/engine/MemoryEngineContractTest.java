package dev.herald.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Hub;
import dev.herald.core.Session;
import dev.herald.core.history.HistoryConfig;
import dev.herald.core.history.MemoryStreamStore;

/** The engine contract on one node: a hub and streams in memory. */
class MemoryEngineContractTest extends EngineContract {

    private final Hub hub = new Hub();
    /** Every uid's stream keeps history, as the contract asks. */
    private final MemoryEngine engine = new MemoryEngine(
            hub,
            new MemoryStreamStore(new HistoryConfig(
                    HistoryConfig.DEFAULT_SIZE,
                    HistoryConfig.DEFAULT_TTL,
                    HistoryConfig.DEFAULT_MAX_BYTES,
                    java.util.List.of(),
                    false,
                    HistoryConfig.DEFAULT_MAX_REPLAY,
                    HistoryConfig.DEFAULT_MAX_STREAMS,
                    HistoryConfig.DEFAULT_META_TTL,
                    HistoryConfig.Uids.ALL)));

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
