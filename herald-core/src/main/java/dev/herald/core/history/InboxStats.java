package dev.herald.core.history;

/**
 * What the inboxes hold and have done since start.
 *
 * @param waiting messages waiting for an ack
 * @param bytes what they cost the budget ({@code inbox.max-bytes})
 * @param queued messages put in an inbox
 * @param refused messages with a ttl that found the budget spent and did not wait
 * @param evicted waiting messages pushed out by a newer one ({@code inbox.max-per-uid})
 * @param expired waiting messages dropped at their ttl
 * @param acked waiting messages a client acked (or a seed client was written, with {@code inbox.seed-clients})
 */
public record InboxStats(long waiting, long bytes, long queued, long refused, long evicted, long expired, long acked) {}
