package dev.herald.netty.tls;

import java.util.concurrent.atomic.LongAdder;

/** Counters of the TLS listeners. Thread-safe. */
public final class TlsStats {

    private final LongAdder handshakeFailures = new LongAdder();

    void handshakeFailed() {
        handshakeFailures.increment();
    }

    /**
     * Connections closed because their TLS handshake failed or did not finish in time: not TLS at all
     * (plain HTTP, random bytes), a protocol or cipher not offered, a client that refused the
     * certificate.
     */
    public long handshakeFailures() {
        return handshakeFailures.sum();
    }
}
