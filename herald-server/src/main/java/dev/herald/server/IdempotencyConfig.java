package dev.herald.server;

import java.time.Duration;
import java.util.Objects;

/**
 * Push ids ({@code idempotency.*}).
 *
 * @param window how long an id is remembered
 * @param maxIds most ids remembered
 */
public record IdempotencyConfig(Duration window, int maxIds) {

    public IdempotencyConfig {
        Objects.requireNonNull(window, "window");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window: must be positive, was " + window);
        }
        if (maxIds < 1) {
            throw new IllegalArgumentException("max-ids: must be at least 1, was " + maxIds);
        }
    }
}
