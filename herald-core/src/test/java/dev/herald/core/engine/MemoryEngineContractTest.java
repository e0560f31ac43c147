package dev.herald.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Hub;
import dev.herald.core.Session;

/** The engine contract on one node: a hub and streams in memory. */
class MemoryEngineContractTest extends EngineContract {

    private final Hub hub = new Hub();
    private final MemoryEngine engine = new MemoryEngine(hub);

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
