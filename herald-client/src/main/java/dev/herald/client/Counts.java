package dev.herald.client;

/**
 * How much is online on the server.
 *
 * @param connections open client connections, bound or not
 * @param uids uids with at least one connection
 * @param groups groups with at least one member
 */
public record Counts(long connections, long uids, long groups) {}
