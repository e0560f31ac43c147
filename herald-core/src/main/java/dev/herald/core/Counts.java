package dev.herald.core;

/**
 * How much is online.
 *
 * @param connections open connections, bound or not
 * @param uids uids with at least one connection
 * @param groups groups with at least one member
 */
public record Counts(long connections, long uids, long groups) {}
