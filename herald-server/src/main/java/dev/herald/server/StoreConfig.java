package dev.herald.server;

import java.nio.file.Path;

/**
 * The data directory ({@code store.*}).
 *
 * @param path where streams, inboxes, idempotency ids and receipts are kept, or {@code null}: in memory
 *     only, lost on a restart (the default)
 * @param fsync whether a batch of changes is synced to the disk before the replies and deliveries that
 *     wait for it; {@code false}: written to the operating system only (survives a killed process, not
 *     a power loss)
 */
public record StoreConfig(Path path, boolean fsync) {

    public boolean enabled() {
        return path != null;
    }
}
