package dev.herald.server;

import java.time.Duration;
import java.util.Objects;

/**
 * Push ids and receipts ({@code idempotency.*}, {@code receipts.*}).
 *
 * @param window how long an id is remembered
 * @param maxIds most ids remembered
 * @param receiptsTtl how long a receipt is kept
 * @param maxReceipts most receipts kept
 */
public record IdempotencyConfig(Duration window, int maxIds, Duration receiptsTtl, int maxReceipts) {

    public IdempotencyConfig {
        Objects.requireNonNull(window, "window");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window: must be positive, was " + window);
        }
        if (maxIds < 1) {
            throw new IllegalArgumentException("max-ids: must be at least 1, was " + maxIds);
        }
        Objects.requireNonNull(receiptsTtl, "receiptsTtl");
        if (receiptsTtl.isNegative() || receiptsTtl.isZero()) {
            throw new IllegalArgumentException("receipts.ttl: must be positive, was " + receiptsTtl);
        }
        if (maxReceipts < 1) {
            throw new IllegalArgumentException("receipts.max: must be at least 1, was " + maxReceipts);
        }
    }
}
