package dev.herald.core.history;

import java.time.Duration;
import java.util.Objects;

/**
 * The offline inbox ({@code inbox.*}): messages pushed with a ttl wait for uids that have no
 * connection, in their uid's stream, until a {@code herald.v1} connection of the uid acks them or the
 * ttl passes.
 *
 * @param defaultTtl the ttl of a {@code push} command that gives none (0: online only)
 * @param seedTtl the ttl of a seed line (0: online only, as in the seed); the reply stays {@code ok} /
 *     {@code fail}
 * @param maxTtl the longest ttl a push may ask for
 * @param maxPerUid most messages waiting for one uid; a new one then pushes out the oldest
 * @param maxBytes budget of all waiting messages together (payload + 128 bytes each); past it a new
 *     message does not wait (the push's reply counts it as dropped)
 * @param seedClients whether a seed client (no subprotocol) that binds a uid gets the messages waiting
 *     for it, as raw frames; a write to a seed client then counts as its ack
 */
public record InboxConfig(
        Duration defaultTtl, Duration seedTtl, Duration maxTtl, int maxPerUid, long maxBytes, boolean seedClients) {

    public static final Duration DEFAULT_MAX_TTL = Duration.ofDays(7);
    public static final int DEFAULT_MAX_PER_UID = 100;
    public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;

    /** The defaults: no ttl unless a push asks, up to 7 days, 100 messages per uid, 64 MiB in all. */
    public static final InboxConfig DEFAULTS = new InboxConfig(
            Duration.ZERO, Duration.ZERO, DEFAULT_MAX_TTL, DEFAULT_MAX_PER_UID, DEFAULT_MAX_BYTES, false);

    public InboxConfig {
        Objects.requireNonNull(defaultTtl, "defaultTtl");
        Objects.requireNonNull(seedTtl, "seedTtl");
        Objects.requireNonNull(maxTtl, "maxTtl");
        if (maxTtl.isNegative()) {
            throw new IllegalArgumentException("max-ttl: must not be negative, was " + maxTtl);
        }
        if (defaultTtl.isNegative() || defaultTtl.compareTo(maxTtl) > 0) {
            throw new IllegalArgumentException("default-ttl: must be between 0 and inbox.max-ttl, was " + defaultTtl);
        }
        if (seedTtl.isNegative() || seedTtl.compareTo(maxTtl) > 0) {
            throw new IllegalArgumentException("seed-ttl: must be between 0 and inbox.max-ttl, was " + seedTtl);
        }
        if (maxPerUid < 0) {
            throw new IllegalArgumentException("max-per-uid: must not be negative, was " + maxPerUid);
        }
        if (maxBytes < 0) {
            throw new IllegalArgumentException("max-bytes: must not be negative, was " + maxBytes);
        }
    }
}
