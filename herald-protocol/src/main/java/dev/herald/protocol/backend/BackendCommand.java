package dev.herald.protocol.backend;

import dev.herald.core.Kick;
import dev.herald.core.Target;
import java.util.List;
import java.util.Objects;

/**
 * A backend's request: the one model that both backend adapters, the Text port and the HTTP API,
 * decode into and execute the same way. See docs/protocol.md for the grammar.
 */
public sealed interface BackendCommand {

    /**
     * The seed's push: forward {@code line}, unchanged, to every connection of {@code uid}; reply
     * {@code ok} if one got it, else {@code fail}.
     */
    record SeedPush(String uid, byte[] line) implements BackendCommand {
        public SeedPush {
            Objects.requireNonNull(uid, "uid");
            Objects.requireNonNull(line, "line");
        }
    }

    /** A seed line that could not be understood: replied as {@code error <code> <detail>}. */
    record Invalid(BackendError error, String detail) implements BackendCommand {}

    /** A command that could not be understood: replied as a JSON error (HTTP 400). */
    record Rejected(String verb, ApiError error) implements BackendCommand {

        /** Whether the refused command was a push ({@code push} or {@code broadcast}), for the counters. */
        public boolean isPush() {
            return verb.equals("push") || verb.equals("broadcast");
        }
    }

    /**
     * One message to one target. {@code data} is the UTF-8 text clients receive.
     *
     * @param ttlSeconds how long the message waits for an offline uid, or {@code null}: the push gave
     *     none ({@code inbox.default-ttl} applies)
     * @param id the push's idempotency id, or {@code null}
     * @param key the message's latest-value key, or {@code null}
     * @param receipt whether the backend wants a receipt of the push
     */
    record PushItem(Target target, byte[] data, Long ttlSeconds, String id, String key, boolean receipt) {
        public PushItem {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(data, "data");
        }

        /** A plain push: no ttl, id, key or receipt. */
        public PushItem(Target target, byte[] data) {
            this(target, data, null, null, null, false);
        }

        /** Whether the push asked for anything beyond target and data. */
        public boolean hasOptions() {
            return ttlSeconds != null || id != null || key != null || receipt;
        }
    }

    /** {@code push} and {@code broadcast}: one push, or a batch ({@code batch}: the request was an array). */
    record Push(List<PushItem> items, boolean batch) implements BackendCommand {
        public Push {
            items = List.copyOf(items);
        }
    }

    /** {@code online}: which uids have a connection. */
    record Online(List<String> uids) implements BackendCommand {
        public Online {
            uids = List.copyOf(uids);
        }
    }

    /**
     * {@code connections}: the ids of a uid's open connections; with {@code details}, also what is
     * known of each (transport, address, token groups, info and expiry).
     */
    record Connections(String uid, boolean details) implements BackendCommand {
        public Connections {
            Objects.requireNonNull(uid, "uid");
        }
    }

    /** {@code uids}: a page of online uids. */
    record ListUids(String after, int limit) implements BackendCommand {}

    /** {@code groups}: a page of group names. */
    record ListGroups(String after, int limit) implements BackendCommand {}

    /** {@code count}: connections, uids and groups; or, with a group, its member counts. */
    record Count(String group) implements BackendCommand {}

    /** {@code members}: a page of a group's members. */
    record Members(String group, String after, int limit) implements BackendCommand {}

    /** {@code join}: add uids to a group. */
    record Join(String group, List<String> uids) implements BackendCommand {
        public Join {
            uids = List.copyOf(uids);
        }
    }

    /** {@code leave}: remove uids from a group. */
    record Leave(String group, List<String> uids) implements BackendCommand {
        public Leave {
            uids = List.copyOf(uids);
        }
    }

    /** {@code kick}: close a uid's connections, or one connection. */
    record KickConnections(Kick kick) implements BackendCommand {}

    /** {@code receipt}: what became of a push that asked for a receipt. */
    record ReceiptQuery(String id) implements BackendCommand {
        public ReceiptQuery {
            Objects.requireNonNull(id, "id");
        }
    }

    /** {@code stats}: the server's counters. */
    record Stats() implements BackendCommand {}
}
