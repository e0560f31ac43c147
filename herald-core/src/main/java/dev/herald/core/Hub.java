package dev.herald.core;

import dev.herald.core.history.Publication;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is connected to this node, under which uid, and which uids are in which groups.
 *
 * <p>A connection is {@linkplain #register registered} when it opens, {@linkplain #bind bound} to a
 * uid once, and {@linkplain #unregister unregistered} when it closes. A uid may have any number of
 * connections; closing one removes only that one. Group membership belongs to the uid, not to a
 * connection: it covers the uid's present and future connections until the uid {@linkplain #leave
 * leaves}, whether or not the uid is online.
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

    private final ConcurrentHashMap<String, ConcurrentSkipListSet<String>> groups = new ConcurrentHashMap<>();
    private final ConcurrentSkipListSet<String> groupNames = new ConcurrentSkipListSet<>();

    private final LongAdder deliveries = new LongAdder();
    private final LongAdder deliveredBytes = new LongAdder();

    private static final class Connection {
        final Session session;
        String uid;

        Connection(Session session) {
            this.session = session;
        }
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
        Objects.requireNonNull(uid, "uid");
        Connection connection = connections.get(session.id());
        if (connection == null || connection.uid != null) {
            return false;
        }
        connection.uid = uid;
        byUid.compute(uid, (key, current) -> {
            if (current == null) {
                onlineUids.add(uid);
            }
            return append(current, session);
        });
        log.debug("bound session={} uid={}", session.id(), uid);
        return true;
    }

    /** Forgets a closed connection and its binding. Other connections of the same uid stay. */
    public void unregister(Session session) {
        Connection connection = connections.remove(session.id());
        if (connection == null || connection.uid == null) {
            return;
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

    /** The ids ({@link SessionId#toString()}) of the connections bound to a uid, in bind order. */
    public List<String> connectionIds(String uid) {
        Session[] sessions = byUid.getOrDefault(uid, NONE);
        List<String> ids = new ArrayList<>(sessions.length);
        for (Session session : sessions) {
            ids.add(session.id().toString());
        }
        return ids;
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
     */
    public int join(String group, Collection<String> uids) {
        int[] added = {0};
        groups.compute(group, (name, members) -> {
            if (members == null) {
                members = new ConcurrentSkipListSet<>();
                groupNames.add(name);
            }
            for (String uid : uids) {
                if (members.add(uid)) {
                    added[0]++;
                }
            }
            return members;
        });
        return added[0];
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
                if (members.remove(uid)) {
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
        Set<String> members = groups.get(group);
        return members != null && members.contains(uid);
    }

    /** Members of a group, online or not, in ascending order after {@code after}. */
    public Page members(String group, String after, int limit) {
        NavigableSet<String> members = groups.get(group);
        return members == null ? new Page(List.of(), null) : page(members, after, limit);
    }

    /** Member and online-member counts of a group. */
    public GroupCount groupCount(String group) {
        Set<String> members = groups.get(group);
        if (members == null) {
            return new GroupCount(group, 0, 0);
        }
        long total = 0;
        long online = 0;
        for (String uid : members) {
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
        Set<String> members = groups.get(group);
        if (members == null) {
            return;
        }
        int before = reach.sessions();
        for (String uid : members) {
            if (reach.takes(uid, publication)) {
                reach.add(sendAll(byUid.get(uid), publication, exceptSessions));
            }
        }
        counted(reach.sessions() - before, publication.message());
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
