package dev.herald.client;

import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One message and where it goes: {@code Push.toUids("alice").toGroups("room:42").excludeUids("bob").data(…)}.
 * Each connection receives a push once, however many parts of the target name it.
 *
 * <p>The data is what the WebSocket client's {@code onmessage} sees in {@code e.data}: a {@link
 * String} is sent as that text; any other object (a {@code JsonNode}, a map, a record…) as its JSON
 * text, serialized by the client's {@code ObjectMapper}; {@link Target#dataJson(String)} sends JSON
 * text you already have, unchanged.
 *
 * <p>Immutable and thread-safe; a {@link Target} can be reused for many pushes. Nothing is checked
 * here beyond nulls: the server validates uids, group names and sizes, and its refusal comes back as
 * a {@link HeraldException} naming the field.
 */
public final class Push {

    private final Target target;
    private final Object data;
    private final boolean rawJson;
    private final Duration ttl;
    private final String id;
    private final String key;
    private final boolean receipt;

    private Push(Target target, Object data, boolean rawJson) {
        this(target, data, rawJson, null, null, null, false);
    }

    private Push(Target target, Object data, boolean rawJson, Duration ttl, String id, String key, boolean receipt) {
        this.target = target;
        this.data = Objects.requireNonNull(data, "data");
        this.rawJson = rawJson;
        this.ttl = ttl;
        this.id = id;
        this.key = key;
        this.receipt = receipt;
    }

    /** This push with a receipt: its result names it ({@link PushResult#receipt()}) for {@link HeraldClient#receipt}. */
    public Push withReceipt() {
        return new Push(target, data, rawJson, ttl, id, key, true);
    }

    /** Whether the push keeps a receipt. */
    public boolean receipt() {
        return receipt;
    }

    /**
     * This push, waiting up to {@code ttl} (whole seconds; at most the server's {@code inbox.max-ttl}) in
     * the inbox of each uid it names that has no connection, until a client of the uid acks it.
     */
    public Push ttl(Duration ttl) {
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("ttl must not be negative: " + ttl);
        }
        return new Push(target, data, rawJson, ttl, id, key, receipt);
    }

    /**
     * This push with an idempotency id: a retry with the same id and target within the server's {@code
     * idempotency.window} gets the first push's result ({@link PushResult#duplicate()}) and is not
     * delivered again.
     */
    public Push id(String id) {
        return new Push(target, data, rawJson, ttl, Objects.requireNonNull(id, "id"), key, receipt);
    }

    /** This push with a latest-value key: it replaces older messages of the same key still kept. */
    public Push key(String key) {
        return new Push(target, data, rawJson, ttl, id, Objects.requireNonNull(key, "key"), receipt);
    }

    /** The ttl, or {@code null}: the server's {@code inbox.default-ttl}. */
    public Duration ttl() {
        return ttl;
    }

    /** The idempotency id, or {@code null}. */
    public String id() {
        return id;
    }

    /** The latest-value key, or {@code null}. */
    public String key() {
        return key;
    }

    /** A target naming these uids. */
    public static Target toUids(String... uids) {
        return Target.EMPTY.toUids(uids);
    }

    /** A target naming these uids. */
    public static Target toUids(Collection<String> uids) {
        return Target.EMPTY.toUids(uids);
    }

    /** A target naming the members of these groups. */
    public static Target toGroups(String... groups) {
        return Target.EMPTY.toGroups(groups);
    }

    /** A target naming the members of these groups. */
    public static Target toGroups(Collection<String> groups) {
        return Target.EMPTY.toGroups(groups);
    }

    /** A target naming every connection (exclusions still apply). */
    public static Target toAll() {
        return Target.EMPTY.toAll();
    }

    public Target target() {
        return target;
    }

    /** The data as given: a {@code String}, JSON text (see {@link #isRawJson()}) or any object. */
    public Object data() {
        return data;
    }

    /** Whether {@link #data()} is JSON text to send unchanged ({@link Target#dataJson(String)}). */
    public boolean isRawJson() {
        return rawJson;
    }

    @Override
    public String toString() {
        return "Push" + target + " data=" + data + (ttl == null ? "" : " ttl=" + ttl) + (id == null ? "" : " id=" + id)
                + (key == null ? "" : " key=" + key);
    }

    /** Where a push goes: uids, groups or all, minus excluded uids and connections. Immutable. */
    public static final class Target {

        static final Target EMPTY = new Target(Set.of(), Set.of(), false, Set.of(), Set.of());

        private final Set<String> uids;
        private final Set<String> groups;
        private final boolean all;
        private final Set<String> excludedUids;
        private final Set<String> excludedConnections;

        private Target(
                Set<String> uids,
                Set<String> groups,
                boolean all,
                Set<String> excludedUids,
                Set<String> excludedConnections) {
            this.uids = uids;
            this.groups = groups;
            this.all = all;
            this.excludedUids = excludedUids;
            this.excludedConnections = excludedConnections;
        }

        public Target toUids(String... uids) {
            return toUids(List.of(uids));
        }

        public Target toUids(Collection<String> uids) {
            return new Target(plus(this.uids, uids), groups, all, excludedUids, excludedConnections);
        }

        public Target toGroups(String... groups) {
            return toGroups(List.of(groups));
        }

        public Target toGroups(Collection<String> groups) {
            return new Target(uids, plus(this.groups, groups), all, excludedUids, excludedConnections);
        }

        /** Every connection (exclusions still apply). */
        public Target toAll() {
            return new Target(uids, groups, true, excludedUids, excludedConnections);
        }

        /** Leaves out every connection of these uids. */
        public Target excludeUids(String... uids) {
            return excludeUids(List.of(uids));
        }

        public Target excludeUids(Collection<String> uids) {
            return new Target(this.uids, groups, all, plus(excludedUids, uids), excludedConnections);
        }

        /** Leaves out these connections, by id (as the server reports them, e.g. {@code 2s}). */
        public Target excludeConnections(String... connections) {
            return excludeConnections(List.of(connections));
        }

        public Target excludeConnections(Collection<String> connections) {
            return new Target(uids, groups, all, excludedUids, plus(excludedConnections, connections));
        }

        /** The push of {@code data}: a {@code String} as its text, any other object as its JSON. */
        public Push data(Object data) {
            return new Push(this, data, false);
        }

        /** The push of JSON text, sent unchanged: clients receive exactly {@code json}. */
        public Push dataJson(String json) {
            return new Push(this, json, true);
        }

        public Set<String> uids() {
            return uids;
        }

        public Set<String> groups() {
            return groups;
        }

        public boolean all() {
            return all;
        }

        public Set<String> excludedUids() {
            return excludedUids;
        }

        public Set<String> excludedConnections() {
            return excludedConnections;
        }

        private static Set<String> plus(Set<String> set, Collection<String> more) {
            Set<String> union = new LinkedHashSet<>(set);
            for (String item : more) {
                union.add(Objects.requireNonNull(item, "null in a target"));
            }
            return Collections.unmodifiableSet(union);
        }

        @Override
        public String toString() {
            return "[uids=" + uids + " groups=" + groups + " all=" + all + " excludedUids=" + excludedUids
                    + " excludedConnections=" + excludedConnections + "]";
        }
    }
}
