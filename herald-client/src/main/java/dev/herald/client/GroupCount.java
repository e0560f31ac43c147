package dev.herald.client;

/**
 * The size of a group.
 *
 * @param group the group
 * @param members uids in the group, online or not
 * @param online members with at least one connection
 */
public record GroupCount(String group, long members, long online) {}
