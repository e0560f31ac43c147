package dev.herald.core;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is connected to this node, and under which uid.
 *
 * <p>A connection is {@linkplain #register registered} when it opens, {@linkplain #bind bound} to a
 * uid once, and {@linkplain #unregister unregistered} when it closes. A uid may have any number of
 * connections; closing one removes only that one.
 *
 * <p>Thread-safe. Lookups and deliveries never lock; the per-uid session lists are copy-on-write
 * arrays, because a uid has few connections and is read far more often than it changes. The calls
 * for one session (register, bind, unregister) must not run concurrently with each other; a
 * transport makes them from the connection's I/O thread.
 */
public final class Hub {

    private static final Logger log = LoggerFactory.getLogger(Hub.class);
    private static final Session[] NONE = new Session[0];

    private final ConcurrentHashMap<SessionId, Connection> connections = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Session[]> byUid = new ConcurrentHashMap<>();
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
     * @return {@code false} if the session is not registered (it closed meanwhile) or is already
     *     bound
     */
    public boolean bind(Session session, String uid) {
        Objects.requireNonNull(uid, "uid");
        Connection connection = connections.get(session.id());
        if (connection == null || connection.uid != null) {
            return false;
        }
        connection.uid = uid;
        byUid.compute(uid, (key, current) -> append(current, session));
        log.debug("bound session={} uid={}", session.id(), uid);
        return true;
    }

    /** Forgets a closed connection and its binding. Other connections of the same uid stay. */
    public void unregister(Session session) {
        Connection connection = connections.remove(session.id());
        if (connection == null || connection.uid == null) {
            return;
        }
        byUid.computeIfPresent(connection.uid, (key, current) -> without(current, session));
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

    public boolean isOnline(String uid) {
        return byUid.containsKey(uid);
    }

    /** Open connections, bound or not. */
    public int connectionCount() {
        return connections.size();
    }

    /** Uids with at least one connection. */
    public int uidCount() {
        return byUid.size();
    }

    /** Messages queued on connections since start (one per connection reached). */
    public long deliveryCount() {
        return deliveries.sum();
    }

    /** Payload bytes queued on connections since start. */
    public long deliveredBytes() {
        return deliveredBytes.sum();
    }

    /** Queues a message on every connection on this node that the target names. */
    public PushResult deliver(Target target, Message message) {
        PushResult result;
        if (target instanceof Target.ToUid toUid) {
            int sessions = sendAll(byUid.getOrDefault(toUid.uid(), NONE), message);
            result = new PushResult(sessions, sessions > 0 ? 1 : 0);
        } else if (target instanceof Target.ToAll) {
            int sessions = 0;
            int uids = 0;
            for (Session[] bound : byUid.values()) {
                int reached = sendAll(bound, message);
                sessions += reached;
                uids += reached > 0 ? 1 : 0;
            }
            result = new PushResult(sessions, uids);
        } else {
            throw new IllegalArgumentException("unknown target " + target);
        }
        if (result.sessions() > 0) {
            deliveries.add(result.sessions());
            deliveredBytes.add((long) result.sessions() * message.size());
        }
        return result;
    }

    private static int sendAll(Session[] sessions, Message message) {
        int reached = 0;
        for (Session session : sessions) {
            if (session.send(message)) {
                reached++;
            }
        }
        return reached;
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
