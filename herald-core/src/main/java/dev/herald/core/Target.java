package dev.herald.core;

import java.util.Objects;
import java.util.Set;

/**
 * Where a message goes: any mix of uids, groups and everyone, minus excluded uids and connections.
 * Each connection receives a message at most once however many parts of the target name it.
 *
 * <p>One record rather than a sealed family of single targets: a backend's push names several parts
 * and exclusions at once, and delivery must see them together to deliver once per connection.
 *
 * @param uids uids whose connections receive
 * @param groups groups whose members' connections receive
 * @param toAll whether every bound connection receives
 * @param exceptUids uids whose connections never receive
 * @param exceptSessions connection ids ({@link SessionId#toString()}) that never receive
 */
public record Target(
        Set<String> uids, Set<String> groups, boolean toAll, Set<String> exceptUids, Set<String> exceptSessions) {

    private static final Target ALL = new Target(Set.of(), Set.of(), true, Set.of(), Set.of());

    public Target {
        uids = Set.copyOf(Objects.requireNonNull(uids, "uids"));
        groups = Set.copyOf(Objects.requireNonNull(groups, "groups"));
        exceptUids = Set.copyOf(Objects.requireNonNull(exceptUids, "exceptUids"));
        exceptSessions = Set.copyOf(Objects.requireNonNull(exceptSessions, "exceptSessions"));
    }

    /** Every connection of one uid. */
    public static Target uid(String uid) {
        return new Target(Set.of(uid), Set.of(), false, Set.of(), Set.of());
    }

    /** Every connection of every member of a group. */
    public static Target group(String group) {
        return new Target(Set.of(), Set.of(group), false, Set.of(), Set.of());
    }

    /** Every bound connection. */
    public static Target all() {
        return ALL;
    }

    /** Whether the target names nothing to deliver to. */
    public boolean isEmpty() {
        return !toAll && uids.isEmpty() && groups.isEmpty();
    }

    /**
     * The target as one text, the same for equal targets however their sets were built: uids, groups,
     * everyone and exclusions, each sorted. Idempotency ids are scoped by it.
     */
    public String canonical() {
        if (isSingleUid()) {
            return "u:" + singleUid();
        }
        StringBuilder text = new StringBuilder();
        uids.stream().sorted().forEach(uid -> text.append("u:").append(uid).append('\n'));
        groups.stream()
                .sorted()
                .forEach(group -> text.append("g:").append(group).append('\n'));
        if (toAll) {
            text.append("*\n");
        }
        exceptUids.stream()
                .sorted()
                .forEach(uid -> text.append("-u:").append(uid).append('\n'));
        exceptSessions.stream()
                .sorted()
                .forEach(id -> text.append("-c:").append(id).append('\n'));
        return text.toString();
    }

    /** The one uid of a {@linkplain #isSingleUid single-uid} target. */
    public String singleUid() {
        return uids.iterator().next();
    }

    /** Whether only a single uid is named, with no exclusions: the seed's push. */
    public boolean isSingleUid() {
        return !toAll && groups.isEmpty() && uids.size() == 1 && exceptUids.isEmpty() && exceptSessions.isEmpty();
    }
}
