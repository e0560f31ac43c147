package dev.herald.netty.http;

import dev.herald.core.PushResult;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the HTTP listener since start. Thread-safe. */
public final class HttpStats {

    final LongAdder requests = new LongAdder();
    final LongAdder ok = new LongAdder();
    final LongAdder fail = new LongAdder();
    private final ConcurrentHashMap<Integer, LongAdder> responses = new ConcurrentHashMap<>();

    /** Requests received. */
    public long requests() {
        return requests.sum();
    }

    /** Pushes (by {@code push} and {@code broadcast}) that reached at least one connection. */
    public long ok() {
        return ok.sum();
    }

    /** Pushes that reached no connection. */
    public long fail() {
        return fail.sum();
    }

    /** Responses sent, by status code. */
    public Map<Integer, Long> responses() {
        Map<Integer, Long> copy = new TreeMap<>();
        responses.forEach((status, count) -> copy.put(status, count.sum()));
        return copy;
    }

    void pushed(PushResult result) {
        (result.delivered() ? ok : fail).increment();
    }

    void responded(int status) {
        responses.computeIfAbsent(status, s -> new LongAdder()).increment();
    }
}
