package dev.herald.netty.websocket;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Which handshakes a listener takes, before any upgrade work: the node's connection cap, the cap per
 * IP address, a global handshake rate (token bucket) and a cap on connections admitted but not bound
 * yet. A refusal says when to come back ({@code Retry-After}), drawn with jitter so that the clients
 * of a reconnect storm do not all come back in the same second. Thread-safe; one per listener.
 */
final class Admission {

    /** Why a handshake was refused, its HTTP status, and the seconds after which to retry. */
    record Refusal(String reason, int status, String text, int retryAfterSeconds) {}

    /** Longest Retry-After given. */
    static final int MAX_RETRY_AFTER_SECONDS = 60;

    private final Supplier<ClientLimits> limits;
    private final IntSupplier openConnections;
    /** Open connections per address, changed only inside {@code compute}. */
    private final ConcurrentHashMap<InetAddress, int[]> perIp = new ConcurrentHashMap<>();

    private final AtomicInteger inFlight = new AtomicInteger();

    private final WebSocketStats stats;

    // The handshake bucket and the refused clients' return slots: guarded by this.
    private double tokens = Double.NaN; // NaN: not filled yet
    private long filledAt;
    /** {@link System#nanoTime()} of the last return slot handed to a refused client. */
    private long horizon;

    /** @param openConnections the node's open client connections (every transport's) */
    Admission(Supplier<ClientLimits> limits, IntSupplier openConnections, WebSocketStats stats) {
        this.limits = limits;
        this.openConnections = openConnections;
        this.stats = stats;
    }

    /**
     * Admits a handshake or says why not. An admitted one counts against its IP address and as in
     * flight until {@link #bound} and {@link #closed} are called for it.
     */
    Refusal admit(InetAddress address) {
        ClientLimits limits = this.limits.get();
        if (limits.maxConnections() > 0 && openConnections.getAsInt() >= limits.maxConnections()) {
            stats.handshakeRefused("max_connections");
            return new Refusal("max_connections", 503, "server full", jittered(5));
        }
        if (limits.maxHandshakesInFlight() > 0 && inFlight.get() >= limits.maxHandshakesInFlight()) {
            stats.handshakeRefused("in_flight");
            int rate = Math.max(1, limits.maxHandshakesPerSecond() > 0 ? limits.maxHandshakesPerSecond() : 1000);
            return new Refusal("in_flight", 503, "too many handshakes", jittered(1 + inFlight.get() / rate));
        }
        if (limits.maxHandshakesPerSecond() > 0) {
            double wait = take(limits.maxHandshakesPerSecond(), System.nanoTime());
            if (wait > 0) {
                stats.handshakeRefused("rate");
                return new Refusal("rate", 503, "too many handshakes", jittered((int) Math.ceil(wait)));
            }
        }
        if (address != null) {
            int[] count = {0};
            perIp.compute(address, (ip, open) -> {
                int[] held = open == null ? new int[1] : open;
                count[0] = ++held[0];
                return held;
            });
            if (limits.maxConnectionsPerIp() > 0 && count[0] > limits.maxConnectionsPerIp()) {
                closed(address);
                stats.handshakeRefused("per_ip");
                return new Refusal("per_ip", 429, "too many connections from this address", jittered(10));
            }
        }
        inFlight.incrementAndGet();
        return null;
    }

    /** An admitted connection bound (or will never bind): it is no longer in flight. Call once. */
    void bound() {
        inFlight.decrementAndGet();
    }

    /** An admitted connection closed. */
    void closed(InetAddress address) {
        if (address != null) {
            perIp.computeIfPresent(address, (ip, open) -> --open[0] <= 0 ? null : open);
        }
    }

    /**
     * Takes one token from a bucket of {@code rate} tokens refilled at {@code rate} per second; without
     * one, hands the client a return slot: the slots are {@code 1 / rate} apart after the last one
     * given (at most a minute ahead), so the refused clients of a storm are told to come back at about
     * the rate the bucket admits, instead of all at once again. A refusal takes no token: refused
     * clients do not lower the rate at which the others are admitted.
     *
     * @return 0 if taken; otherwise the seconds until the client's slot
     */
    synchronized double take(int rate, long now) {
        if (Double.isNaN(tokens)) {
            tokens = rate;
            filledAt = now;
            horizon = now;
        }
        tokens = Math.min(rate, tokens + (now - filledAt) / 1e9 * rate);
        filledAt = now;
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        long slot = 1_000_000_000L / rate;
        horizon = Math.min(Math.max(horizon, now) + slot, now + MAX_RETRY_AFTER_SECONDS * 1_000_000_000L);
        return (horizon - now) / 1e9;
    }

    /** {@code base} to twice {@code base} seconds, at random, at most {@link #MAX_RETRY_AFTER_SECONDS}. */
    static int jittered(int base) {
        int floor = Math.max(1, Math.min(base, MAX_RETRY_AFTER_SECONDS));
        return Math.min(
                MAX_RETRY_AFTER_SECONDS, floor + ThreadLocalRandom.current().nextInt(floor + 1));
    }

    int inFlight() {
        return inFlight.get();
    }
}
