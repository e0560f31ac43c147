package dev.herald.netty.websocket;

import dev.herald.core.CloseReason;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the WebSocket listener since start. Thread-safe. */
public final class WebSocketStats {

    final LongAdder framesReceived = new LongAdder();
    final LongAdder framesIgnored = new LongAdder();
    private final EnumMap<CloseReason, LongAdder> serverCloses = new EnumMap<>(CloseReason.class);

    public WebSocketStats() {
        for (CloseReason reason : CloseReason.values()) {
            serverCloses.put(reason, new LongAdder());
        }
    }

    /** Data frames (text, binary, after reassembly) received from clients. */
    public long framesReceived() {
        return framesReceived.sum();
    }

    /** Data frames received after the bind, which the seed protocol ignores. */
    public long framesIgnored() {
        return framesIgnored.sum();
    }

    /** Connections the server closed, by reason. */
    public Map<CloseReason, Long> serverCloses() {
        EnumMap<CloseReason, Long> copy = new EnumMap<>(CloseReason.class);
        serverCloses.forEach((reason, count) -> copy.put(reason, count.sum()));
        return copy;
    }

    void closed(CloseReason reason) {
        serverCloses.get(reason).increment();
    }
}
