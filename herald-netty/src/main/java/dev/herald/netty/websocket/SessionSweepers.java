package dev.herald.netty.websocket;

import dev.herald.core.CloseReason;
import io.netty.channel.EventLoop;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** The {@link SessionSweeper} of each event loop, created on first use. Thread-safe. */
final class SessionSweepers {

    private final Supplier<WebSocketConfig> config;
    private final ConcurrentHashMap<EventLoop, SessionSweeper> byLoop = new ConcurrentHashMap<>();

    SessionSweepers(Supplier<WebSocketConfig> config) {
        this.config = config;
    }

    /** Closes every connection on every loop, handshaken or not, with the given reason. */
    void closeAll(CloseReason reason) {
        for (SessionSweeper sweeper : byLoop.values()) {
            sweeper.loop().execute(() -> sweeper.closeAll(reason));
        }
    }

    /** Open connections on all loops, handshaken or not (a racy sum, for draining). */
    int openCount() {
        int open = 0;
        for (SessionSweeper sweeper : byLoop.values()) {
            open += sweeper.size();
        }
        return open;
    }

    SessionSweeper of(EventLoop loop) {
        SessionSweeper sweeper = byLoop.get(loop);
        return sweeper != null ? sweeper : byLoop.computeIfAbsent(loop, l -> new SessionSweeper(l, config));
    }
}
