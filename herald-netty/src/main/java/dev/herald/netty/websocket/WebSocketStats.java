package dev.herald.netty.websocket;

import dev.herald.core.CloseReason;
import dev.herald.core.auth.AuthException;
import dev.herald.core.history.Recovery;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

/**
 * Counters of the WebSocket listener since start, and the hook that receives push-to-write latencies.
 * Thread-safe.
 */
public final class WebSocketStats {

    private static final LongConsumer NO_LATENCY = nanos -> {};

    final LongAdder framesReceived = new LongAdder();
    final LongAdder framesIgnored = new LongAdder();
    final LongAdder paused = new LongAdder();
    private final LongAdder originsRefused = new LongAdder();
    /** Why admission control refuses a handshake, in the order of its checks. */
    public static final List<String> ADMISSION_REFUSALS = List.of("max_connections", "in_flight", "rate", "per_ip");

    private final Map<String, LongAdder> handshakesRefused = new java.util.LinkedHashMap<>();
    final LongAdder acks = new LongAdder();
    final LongAdder conflated = new LongAdder();
    final LongAdder resumes = new LongAdder();
    final LongAdder invalidMessages = new LongAdder();
    final LongAdder tokensAccepted = new LongAdder();
    final LongAdder tokensRefreshed = new LongAdder();
    private final EnumMap<AuthException.Kind, LongAdder> tokensRefused = new EnumMap<>(AuthException.Kind.class);
    final LongAdder bareUidsRefused = new LongAdder();
    private final EnumMap<Recovery.Kind, LongAdder> recoveries = new EnumMap<>(Recovery.Kind.class);
    private final EnumMap<CloseReason, LongAdder> serverCloses = new EnumMap<>(CloseReason.class);
    private final LongConsumer writeLatency;
    private final int sampleEvery;

    /** Counters only; no latency is measured. */
    public WebSocketStats() {
        this(NO_LATENCY, 0);
    }

    /**
     * Counters, and push-to-write latencies of one in {@code sampleEvery} messages written to a client.
     *
     * @param writeLatency receives, on an event loop, the nanoseconds from the creation of a message (its
     *     push accepted) to the moment its frame was written to the client's socket; must not block
     * @param sampleEvery 1 measures every write, 0 none; a sample is drawn at random, so the measured
     *     writes are spread evenly over connections and time
     */
    public WebSocketStats(LongConsumer writeLatency, int sampleEvery) {
        if (sampleEvery < 0) {
            throw new IllegalArgumentException("sampleEvery must not be negative, was " + sampleEvery);
        }
        this.writeLatency = writeLatency;
        this.sampleEvery = sampleEvery;
        for (CloseReason reason : CloseReason.values()) {
            serverCloses.put(reason, new LongAdder());
        }
        for (Recovery.Kind kind : Recovery.Kind.values()) {
            recoveries.put(kind, new LongAdder());
        }
        for (AuthException.Kind kind : AuthException.Kind.values()) {
            tokensRefused.put(kind, new LongAdder());
        }
        for (String reason : ADMISSION_REFUSALS) {
            handshakesRefused.put(reason, new LongAdder());
        }
    }

    void handshakeRefused(String reason) {
        handshakesRefused.get(reason).increment();
    }

    /** Handshakes admission control refused, by reason. */
    public Map<String, Long> handshakesRefused() {
        Map<String, Long> counts = new java.util.LinkedHashMap<>();
        handshakesRefused.forEach((reason, count) -> counts.put(reason, count.sum()));
        return counts;
    }

    /** Handshakes admission control refused, for one of {@link #ADMISSION_REFUSALS}. */
    public long handshakesRefused(String reason) {
        LongAdder count = handshakesRefused.get(reason);
        return count == null ? 0 : count.sum();
    }

    /** Connect tokens verified (at bind; refreshes are counted apart). */
    public long tokensAccepted() {
        return tokensAccepted.sum();
    }

    /** Tokens a {@code herald.v1} client refreshed its connection with. */
    public long tokensRefreshed() {
        return tokensRefreshed.sum();
    }

    /** Tokens refused (at bind or refresh), by why. */
    public Map<AuthException.Kind, Long> tokensRefused() {
        EnumMap<AuthException.Kind, Long> copy = new EnumMap<>(AuthException.Kind.class);
        tokensRefused.forEach((kind, count) -> copy.put(kind, count.sum()));
        return copy;
    }

    void tokenRefused(AuthException.Kind kind) {
        tokensRefused.get(kind).increment();
    }

    /** Clients that tried to bind with a bare uid while tokens are required (closed with 4504). */
    public long bareUidsRefused() {
        return bareUidsRefused.sum();
    }

    /** {@code herald.v1} hellos answered (connections bound and resumed). */
    public long resumes() {
        return resumes.sum();
    }

    /**
     * Keyed messages a congested {@code herald.v1} connection never got because a newer one with the same
     * key replaced them while they waited.
     */
    public long conflated() {
        return conflated.sum();
    }

    /** {@code herald.v1} acks received. */
    public long acks() {
        return acks.sum();
    }

    /** {@code herald.v1} messages refused (answered with an error, or closed with 4502). */
    public long invalidMessages() {
        return invalidMessages.sum();
    }

    /** Streams answered in hellos, by answer (new, recovered, gap, reset). */
    public Map<Recovery.Kind, Long> recoveries() {
        EnumMap<Recovery.Kind, Long> copy = new EnumMap<>(Recovery.Kind.class);
        recoveries.forEach((kind, count) -> copy.put(kind, count.sum()));
        return copy;
    }

    void recovered(Recovery.Kind kind) {
        recoveries.get(kind).increment();
    }

    /** Data frames (text, binary, after reassembly) received from clients. */
    public long framesReceived() {
        return framesReceived.sum();
    }

    /** Data frames received after the bind, which the seed protocol ignores. */
    public long framesIgnored() {
        return framesIgnored.sum();
    }

    /**
     * Times a client's outbound queue reached {@code websocket.max-outbound-bytes}, so that the server
     * stopped reading it (a slow consumer; the next push to it closes it with 4003).
     */
    public long paused() {
        return paused.sum();
    }

    /** A handshake was refused for its {@code Origin} ({@code websocket.allowed-origins}). */
    void originRefused() {
        originsRefused.increment();
    }

    /** Handshakes refused for their {@code Origin}. */
    public long originsRefused() {
        return originsRefused.sum();
    }

    /** Connections the server closed, by reason. */
    public Map<CloseReason, Long> serverCloses() {
        EnumMap<CloseReason, Long> copy = new EnumMap<>(CloseReason.class);
        serverCloses.forEach((reason, count) -> copy.put(reason, count.sum()));
        return copy;
    }

    /** Connections the server closed with one reason. */
    public long serverCloses(CloseReason reason) {
        return serverCloses.get(reason).sum();
    }

    void closed(CloseReason reason) {
        serverCloses.get(reason).increment();
    }

    /** Whether to measure the latency of the write about to happen. */
    boolean sampleWrite() {
        return sampleEvery == 1
                || (sampleEvery > 1 && ThreadLocalRandom.current().nextInt(sampleEvery) == 0);
    }

    void written(long createdAt) {
        writeLatency.accept(System.nanoTime() - createdAt);
    }
}
