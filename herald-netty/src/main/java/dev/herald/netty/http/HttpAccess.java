package dev.herald.netty.http;

import dev.herald.netty.LogThrottle;
import dev.herald.netty.PushRate;
import dev.herald.protocol.backend.BackendKey;
import dev.herald.protocol.backend.BackendKeys;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * What the HTTP listener shares between its connections to decide who may call: the API keys, parsed
 * again only when the configured list changes (a reload), and one push bucket per key
 * ({@code http.max-pushes-per-second}; all keyless loopback callers share one). Thread-safe.
 */
final class HttpAccess {

    private record Parsed(List<String> written, BackendKeys keys) {}

    private final Supplier<List<String>> apiKeys;
    private final IntSupplier maxPushesPerSecond;
    private final ConcurrentHashMap<String, PushRate> rates = new ConcurrentHashMap<>();
    final LogThrottle rateLog = new LogThrottle();
    private volatile Parsed parsed;

    HttpAccess(Supplier<List<String>> apiKeys, IntSupplier maxPushesPerSecond) {
        this.apiKeys = apiKeys;
        this.maxPushesPerSecond = maxPushesPerSecond;
    }

    /** The keys in force. */
    BackendKeys keys() {
        List<String> written = apiKeys.get();
        Parsed last = parsed;
        if (last == null || last.written() != written) {
            last = new Parsed(written, BackendKeys.of(written));
            parsed = last;
        }
        return last.keys();
    }

    int maxPushesPerSecond() {
        return maxPushesPerSecond.getAsInt();
    }

    /**
     * Takes {@code pushes} from the bucket of {@code key} ({@code null}: keyless loopback callers).
     *
     * @return 0 if allowed, else the seconds to wait (for {@code Retry-After})
     */
    long take(BackendKey key, int pushes) {
        int rate = maxPushesPerSecond.getAsInt();
        if (rate <= 0 || pushes <= 0) {
            return 0;
        }
        return rates.computeIfAbsent(key == null ? "" : key.secret(), unused -> new PushRate())
                .take(pushes, rate);
    }
}
