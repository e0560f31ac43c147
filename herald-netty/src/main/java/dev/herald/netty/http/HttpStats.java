package dev.herald.netty.http;

import dev.herald.core.PushResult;
import dev.herald.netty.backend.CommandExecutor;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the HTTP listener since start. Thread-safe. */
public final class HttpStats {

    final LongAdder requests = new LongAdder();
    final LongAdder ok = new LongAdder();
    final LongAdder fail = new LongAdder();
    final LongAdder error = new LongAdder();
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

    /** {@code push} and {@code broadcast} commands answered with an error (refused or failed), once per command. */
    public long error() {
        return error.sum();
    }

    /** Responses sent, by status code. */
    public Map<Integer, Long> responses() {
        Map<Integer, Long> copy = new TreeMap<>();
        responses.forEach((status, count) -> copy.put(status, count.sum()));
        return copy;
    }

    /** Counts the pushes of {@code push} and {@code broadcast} commands. */
    final CommandExecutor.PushListener pushes = new CommandExecutor.PushListener() {
        @Override
        public void pushed(PushResult result) {
            (result.delivered() ? ok : fail).increment();
        }

        @Override
        public void failed() {
            error.increment();
        }
    };

    /** Responses sent with one status. */
    public long responses(int status) {
        LongAdder count = responses.get(status);
        return count == null ? 0 : count.sum();
    }

    void responded(int status) {
        responses.computeIfAbsent(status, s -> new LongAdder()).increment();
    }
}
