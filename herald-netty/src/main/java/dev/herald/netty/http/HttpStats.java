package dev.herald.netty.http;

import dev.herald.netty.backend.PushCounts;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the HTTP listener since start. Thread-safe. */
public final class HttpStats {

    final LongAdder requests = new LongAdder();
    /** Pushes made by {@code push} and {@code broadcast} commands. */
    final PushCounts pushes = new PushCounts();

    private final ConcurrentHashMap<Integer, LongAdder> responses = new ConcurrentHashMap<>();

    /** Requests received. */
    public long requests() {
        return requests.sum();
    }

    /** Pushes (by {@code push} and {@code broadcast}) that reached at least one connection. */
    public long ok() {
        return pushes.ok();
    }

    /** Pushes that reached no connection. */
    public long fail() {
        return pushes.fail();
    }

    /** {@code push} and {@code broadcast} commands answered with an error (refused or failed), once per command. */
    public long error() {
        return pushes.error();
    }

    /** Responses sent, by status code. */
    public Map<Integer, Long> responses() {
        Map<Integer, Long> copy = new TreeMap<>();
        responses.forEach((status, count) -> copy.put(status, count.sum()));
        return copy;
    }

    /** Responses sent with one status. */
    public long responses(int status) {
        LongAdder count = responses.get(status);
        return count == null ? 0 : count.sum();
    }

    void responded(int status) {
        responses.computeIfAbsent(status, s -> new LongAdder()).increment();
    }
}
