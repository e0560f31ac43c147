package dev.herald.core;

import dev.herald.core.auth.Identity;
import dev.herald.core.history.Publication;
import dev.herald.core.history.Streams;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is connected to this node, under which uid, and which uids are in which groups.
 *
 * <p>A connection is {@linkplain #register registered} when it opens, {@linkplain #bind bound} to a
 * uid once, and {@linkplain #unregister unregistered} when it closes. A uid may have any number of
 * connections; closing one removes only that one. Group membership belongs to the uid, not to a
 * connection: it covers the uid's present and future connections until the uid {@linkplain #leave
 * leaves}, whether or not the uid is online. A connection whose connect token names groups is also a
 * member of those itself, for as long as it is open: a push to such a group reaches it (once, however
 * many ways it is a member), while {@linkplain #members the member list} names only the uids that
 * joined.
 *
 * <p>Thread-safe. Deliveries never lock; the per-uid session lists are copy-on-write arrays, because a
 * uid has few connections and is read far more often than it changes. The calls for one session
 * (register, bind, unregister) must not run concurrently with each other; a transport makes them from
 * the connection's I/O thread.
 */
public final class Hub {

    private static final Logger log = LoggerFactory.getLogger(Hub.class);
    private static final Session[] NONE = new Session[0];

    private final ConcurrentHashMap<SessionId, Connection> connections = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Session[]> byUid = new ConcurrentHashMap<>();
    /** The keys of {@link #byUid}, sorted, for paging; changes only when a uid goes on or offline. */
    private final ConcurrentSkipListSet<String> onlineUids = new ConcurrentSkipListSet<>();

    private final ConcurrentHashMap<String, Group> groups = new ConcurrentHashMap<>();
    private final ConcurrentSkipListSet<String> groupNames = new ConcurrentSkipListSet<>();

    /** Most connections one uid may bind, read at each bind; 0: no limit. */
    private final IntSupplier maxSessionsPerUid;
    /** Most groups one uid may join, read at each join; 0: no limit. */
    private final IntSupplier maxGroupsPerUid;
    /** Groups each uid joined (by {@code join}, not by a token), changed only inside {@code compute}. */
    private final ConcurrentHashMap<String, int[]> groupsPerUid = new ConcurrentHashMap<>();

    private final LongAdder joinsRefused = new LongAdder();
    private final LongAdder deliveries = new LongAdder();
    private final LongAdder deliveredBytes = new LongAdder();

    private static final class Connection {
        final Session session;
        volatile String uid;
        /** Who the connect token said the connection is; {@code null}: bound with a bare uid. */
        volatile Identity identity;

        Connection(Session session) {
            this.session = session;
        }
    }

    /**
     * A group: the uids that joined it, and the connections that are members for their lifetime (their
     * token's {@code groups}). It exists while it has either; changed only inside {@code groups.compute}.
     */
    private static final class Group {
        final ConcurrentSkipListSet<String> uids = new ConcurrentSkipListSet<>();
        /** Copy-on-write, like {@link #byUid}: few, and read on every push to the group. */
        volatile Connection[] connections = NO_CONNECTIONS;

        boolean isEmpty() {
            return uids.isEmpty() && connections.length == 0;
        }
    }

    private static final Connection[] NO_CONNECTIONS = new Connection[0];

    /** A hub without limits of connections or groups per uid. */
    public Hub() {
        this(() -> 0, () -> 0);
    }

    /**
     * @param maxSessionsPerUid most connections one uid may bind (0: no limit), read at each bind: one
     *     more is closed with {@link CloseReason#TOO_MANY_CONNECTIONS}, the ones bound before stay
     * @param maxGroupsPerUid most groups one uid may join (0: no limit), read at each join: a join that
     *     would pass it fails with {@link GroupLimitException}
     */
    public Hub(IntSupplier maxSessionsPerUid, IntSupplier maxGroupsPerUid) {
        this.maxSessionsPerUid = maxSessionsPerUid;
        this.maxGroupsPerUid = maxGroupsPerUid;
    }

    /** Records an open connection that has no uid yet. */
    public void register(Session session) {
        Objects.requireNonNull(session, "session");
        if (connections.putIfAbsent(session.id(), new Connection(session)) != null) {
            throw new IllegalStateException("session already registered: " + session.id());
        }
    }

    /**
     * Binds a registered connection to a uid. A connection binds once.
     *
     * @return {@code false} if the session is not registered (it closed meanwhile) or is already bound
     */
    public boolean bind(Session session, String uid) {
        return bind(session, uid, null);
    }

    /**
     * Binds a registered connection to the uid of its verified connect token, and makes it a member of
     * the token's groups until it closes.
     *
     * @param identity {@code null}: a bare uid
     * @return {@code false} if the session is not registered (it closed meanwhile), is already bound,
     *     or would pass the limit of connections per uid (it is then closed with {@link
     *     CloseReason#TOO_MANY_CONNECTIONS})
     */
    public boolean bind(Session session, String uid, Identity identity) {
        Objects.requireNonNull(uid, "uid");
        Connection connection = connections.get(session.id());
        if (connection == null || connection.uid != null) {
            return false;
        }
        int max = maxSessionsPerUid.getAsInt();
        boolean[] full = {false};
        byUid.compute(uid, (key, current) -> {
            if (max > 0 && current != null && current.length >= max) {
                full[0] = true;
                return current;
            }
            if (current == null) {
                onlineUids.add(uid);
            }
            return append(current, session);
        });
        if (full[0]) {
            log.info("refused session={} uid={}: {} connections already (4505)", session.id(), uid, max);
            session.close(CloseReason.TOO_MANY_CONNECTIONS, "more than " + max + " connections for this uid");
            return false;
        }
        connection.uid = uid;
        connection.identity = identity;
        if (identity != null) {
            for (String group : identity.groups()) {
                groups.compute(group, (name, members) -> {
                    if (members == null) {
                        members = new Group();
                        groupNames.add(name);
                    }
                    members.connections = append(members.connections, connection);
                    return members;
                });
            }
        }
        log.debug("bound session={} uid={}", session.id(), uid);
        return true;
    }

    /** Forgets a closed connection and its binding. Other connections of the same uid stay. */
    public void unregister(Session session) {
        Connection connection = connections.remove(session.id());
        if (connection == null || connection.uid == null) {
            return;
        }
        Identity identity = connection.identity;
        if (identity != null) {
            for (String group : identity.groups()) {
                groups.computeIfPresent(group, (name, members) -> {
                    members.connections = without(members.connections, connection);
                    if (members.isEmpty()) {
                        groupNames.remove(name);
                        return null;
                    }
                    return members;
                });
            }
        }
        byUid.computeIfPresent(connection.uid, (key, current) -> {
            Session[] rest = without(current, session);
            if (rest == null) {
                onlineUids.remove(key);
            }
            return rest;
        });
    }

    /** The uid a connection is bound to, or {@code null}. */
    public String uidOf(SessionId id) {
        Connection connection = connections.get(id);
        return connection == null ? null : connection.uid;
    }

    /** The connections bound to a uid, in bind order. */
    public List<Session> sessionsOf(String uid) {
        return List.of(byUid.getOrDefault(uid, NONE));
    }

    /** What is known of each connection bound to a uid, in bind order. */
    public List<ConnectionInfo> connectionInfos(String uid) {
        Session[] sessions = byUid.getOrDefault(uid, NONE);
        List<ConnectionInfo> infos = new ArrayList<>(sessions.length);
        for (Session session : sessions) {
            Connection connection = connections.get(session.id());
            infos.add(new ConnectionInfo(
                    session.id().toString(),
                    session.transport(),
                    session.remoteAddress(),
                    connection == null ? null : connection.identity));
        }
        return infos;
    }

    /**
     * Replaces the identity of a bound connection after its client refreshed its token. The caller keeps
     * uid and groups those it bound with: memberships are not changed here.
     */
    public void refreshed(Session session, Identity identity) {
        Connection connection = connections.get(session.id());
        if (connection != null && connection.uid != null) {
            connection.identity = identity;
        }
    }

    /**
     * Whether a client bound as {@code uid} may read a stream's history: its uid's own, everyone's, or a
     * group's of which the uid is a member or its token names.
     *
     * @param identity what the connection's token said; {@code null}: a bare uid
     */
    public boolean mayRead(String uid, Identity identity, String stream) {
        String owner = Streams.uid(stream);
        if (owner != null) {
            return owner.equals(uid);
        }
        String group = Streams.group(stream);
        if (group == null) {
            return Streams.ALL.equals(stream);
        }
        return isMember(group, uid) || (identity != null && identity.groups().contains(group));
    }

    public boolean isOnline(String uid) {
        return byUid.containsKey(uid);
    }

    /** Which of the uids have at least one connection, in the order given. */
    public Map<String, Boolean> online(Collection<String> uids) {
        Map<String, Boolean> online = new LinkedHashMap<>();
        for (String uid : uids) {
            online.put(uid, byUid.containsKey(uid));
        }
        return online;
    }

    /** Online uids in ascending order, starting after {@code after} (null: from the start). */
    public Page onlineUids(String after, int limit) {
        return page(onlineUids, after, limit);
    }

    /** Open connections, bound or not. */
    public int connectionCount() {
        return connections.size();
    }

    /** Uids with at least one connection. */
    public int uidCount() {
        return byUid.size();
    }

    /** Groups with at least one member. */
    public int groupCount() {
        return groups.size();
    }

    public Counts counts() {
        return new Counts(connections.size(), byUid.size(), groups.size());
    }

    /**
     * Adds uids to a group. Membership covers each uid's connections, present and future.
     *
     * @return how many of the uids were not members before
     * @throws GroupLimitException if a uid that is not a member is in {@code maxGroupsPerUid} groups
     *     already: then none of the uids joins
     */
    public int join(String group, Collection<String> uids) {
        int max = maxGroupsPerUid.getAsInt();
        int[] added = {0};
        groups.compute(group, (name, current) -> {
            Set<String> fresh = new LinkedHashSet<>();
            for (String uid : uids) {
                if (current == null || !current.uids.contains(uid)) {
                    fresh.add(uid);
                }
            }
            List<String> joining = new ArrayList<>(fresh);
            for (int i = 0; i < joining.size(); i++) {
                if (!countGroup(joining.get(i), max)) {
                    for (int j = 0; j < i; j++) {
                        uncountGroup(joining.get(j));
                    }
                    joinsRefused.increment();
                    throw new GroupLimitException(joining.get(i), max);
                }
            }
            Group members = current;
            if (members == null) {
                members = new Group();
                groupNames.add(name);
            }
            members.uids.addAll(joining);
            added[0] = joining.size();
            return members;
        });
        return added[0];
    }

    /** Counts one more group for a uid, unless it has {@code max} (0: no limit) already. */
    private boolean countGroup(String uid, int max) {
        boolean[] counted = {false};
        groupsPerUid.compute(uid, (key, count) -> {
            int[] held = count == null ? new int[1] : count;
            if (max == 0 || held[0] < max) {
                held[0]++;
                counted[0] = true;
            }
            return held[0] == 0 ? null : held;
        });
        return counted[0];
    }

    private void uncountGroup(String uid) {
        groupsPerUid.computeIfPresent(uid, (key, count) -> --count[0] <= 0 ? null : count);
    }

    /** Joins refused for {@code maxGroupsPerUid}. */
    public long joinsRefused() {
        return joinsRefused.sum();
    }

    /** Groups a uid joined (by {@code join}; a token's groups are not counted). */
    public int groupCountOf(String uid) {
        int[] count = groupsPerUid.get(uid);
        return count == null ? 0 : count[0];
    }

    /**
     * Removes uids from a group; a group without members disappears.
     *
     * @return how many of the uids were members
     */
    public int leave(String group, Collection<String> uids) {
        int[] removed = {0};
        groups.computeIfPresent(group, (name, members) -> {
            for (String uid : uids) {
                if (members.uids.remove(uid)) {
                    uncountGroup(uid);
                    removed[0]++;
                }
            }
            if (members.isEmpty()) {
                groupNames.remove(name);
                return null;
            }
            return members;
        });
        return removed[0];
    }

    /** Whether a uid is in a group. */
    public boolean isMember(String group, String uid) {
        Group members = groups.get(group);
        return members != null && members.uids.contains(uid);
    }

    /** Members of a group, online or not, in ascending order after {@code after}. */
    public Page members(String group, String after, int limit) {
        Group members = groups.get(group);
        return members == null ? new Page(List.of(), null) : page(members.uids, after, limit);
    }

    /** Member and online-member counts of a group. */
    public GroupCount groupCount(String group) {
        Group members = groups.get(group);
        if (members == null) {
            return new GroupCount(group, 0, 0);
        }
        long total = 0;
        long online = 0;
        for (String uid : members.uids) {
            total++;
            if (byUid.containsKey(uid)) {
                online++;
            }
        }
        return new GroupCount(group, total, online);
    }

    /** Group names in ascending order after {@code after}. */
    public Page groups(String after, int limit) {
        return page(groupNames, after, limit);
    }

    /** Messages queued on connections since start (one per connection reached). */
    public long deliveryCount() {
        return deliveries.sum();
    }

    /** Payload bytes queued on connections since start. */
    public long deliveredBytes() {
        return deliveredBytes.sum();
    }

    /**
     * Queues a publication on the connections of one uid, except the excluded ones.
     *
     * @return how many connections accepted it
     */
    public int deliverToUid(String uid, Publication publication, Set<SessionId> exceptSessions) {
        int reached = sendAll(byUid.get(uid), publication, exceptSessions);
        counted(reached, publication.message());
        return reached;
    }

    /**
     * Queues a publication on the connections of a group's members, except the uids {@code reach} skips
     * and the excluded connections.
     */
    public void deliverToGroup(String group, Publication publication, Set<SessionId> exceptSessions, Reach reach) {
        Group members = groups.get(group);
        if (members == null) {
            return;
        }
        int before = reach.sessions();
        for (String uid : members.uids) {
            if (reach.takes(uid, publication)) {
                reach.add(sendAll(byUid.get(uid), publication, exceptSessions));
            }
        }
        Connection[] scoped = members.connections;
        if (scoped.length > 0) {
            deliverToConnections(members, scoped, publication, exceptSessions, reach);
        }
        counted(reach.sessions() - before, publication.message());
    }

    /**
     * The connections that are members of a group through their token, whose uid is not a member (those
     * have it already): each uid counts once, with all of its member connections.
     */
    private static void deliverToConnections(
            Group members, Connection[] scoped, Publication publication, Set<SessionId> except, Reach reach) {
        Map<String, int[]> reached = new HashMap<>();
        for (Connection connection : scoped) {
            String uid = connection.uid;
            if (members.uids.contains(uid)) {
                continue;
            }
            int[] count = reached.get(uid);
            if (count == null) {
                count = reach.takes(uid, publication) ? new int[1] : null;
                reached.put(uid, count);
            }
            if (count != null
                    && (except.isEmpty() || !except.contains(connection.session.id()))
                    && connection.session.send(publication)) {
                count[0]++;
            }
        }
        for (int[] count : reached.values()) {
            if (count != null) {
                reach.add(count[0]);
            }
        }
    }

    /** Queues a publication on every bound connection, except the uids {@code reach} skips and the excluded connections. */
    public void deliverToAll(Publication publication, Set<SessionId> exceptSessions, Reach reach) {
        int before = reach.sessions();
        for (Map.Entry<String, Session[]> bound : byUid.entrySet()) {
            if (reach.takes(bound.getKey(), publication)) {
                reach.add(sendAll(bound.getValue(), publication, exceptSessions));
            }
        }
        counted(reach.sessions() - before, publication.message());
    }

    private void counted(int sessions, Message message) {
        if (sessions > 0) {
            deliveries.add(sessions);
            deliveredBytes.add((long) sessions * message.size());
        }
    }

    /**
     * Closes the connections a kick names with {@link CloseReason#KICKED} and its reason text.
     *
     * @return how many connections were closed
     */
    public int kick(Kick kick) {
        List<Session> sessions = new ArrayList<>();
        if (kick.uid() != null) {
            sessions.addAll(sessionsOf(kick.uid()));
        } else {
            SessionId id = SessionId.parse(kick.session());
            Connection connection = id == null ? null : connections.get(id);
            if (connection != null) {
                sessions.add(connection.session);
            }
        }
        for (Session session : sessions) {
            session.close(CloseReason.KICKED, kick.reason());
        }
        return sessions.size();
    }

    private static int sendAll(Session[] sessions, Publication publication, Set<SessionId> except) {
        if (sessions == null) {
            return 0;
        }
        int reached = 0;
        for (Session session : sessions) {
            if ((except.isEmpty() || !except.contains(session.id())) && session.send(publication)) {
                reached++;
            }
        }
        return reached;
    }

    private static Page page(NavigableSet<String> sorted, String after, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, was " + limit);
        }
        Iterator<String> it = (after == null ? sorted : sorted.tailSet(after, false)).iterator();
        List<String> items = new ArrayList<>(Math.min(limit, 64));
        while (it.hasNext() && items.size() < limit) {
            items.add(it.next());
        }
        return new Page(items, it.hasNext() ? items.get(items.size() - 1) : null);
    }

    private static Connection[] append(Connection[] current, Connection connection) {
        Connection[] grown = Arrays.copyOf(current, current.length + 1);
        grown[current.length] = connection;
        return grown;
    }

    private static Connection[] without(Connection[] current, Connection connection) {
        List<Connection> rest = new ArrayList<>(Arrays.asList(current));
        rest.remove(connection);
        return rest.isEmpty() ? NO_CONNECTIONS : rest.toArray(Connection[]::new);
    }

    private static Session[] append(Session[] current, Session session) {
        if (current == null) {
            return new Session[] {session};
        }
        Session[] grown = Arrays.copyOf(current, current.length + 1);
        grown[current.length] = session;
        return grown;
    }

    private static Session[] without(Session[] current, Session session) {
        for (int i = 0; i < current.length; i++) {
            if (current[i] == session) {
                if (current.length == 1) {
                    return null;
                }
                Session[] shrunk = new Session[current.length - 1];
                System.arraycopy(current, 0, shrunk, 0, i);
                System.arraycopy(current, i + 1, shrunk, i, current.length - i - 1);
                return shrunk;
            }
        }
        return current;
    }
}
