package dev.herald.core;

import dev.herald.core.history.Publication;
import java.util.HashSet;
import java.util.Set;

/**
 * What one push reached, part by part: connections and distinct uids, and which uids an earlier part
 * of the same push reached already, so that each connection gets the push once however many parts name
 * it. Not thread-safe: one push, one thread.
 */
public final class Reach {

    private final Set<String> reached;
    private int sessions;
    private int uids;
    private int queued;
    private int dropped;

    /** @param parts how many parts the push has; with one, no set of reached uids is kept */
    public Reach(int parts) {
        this.reached = parts > 1 ? new HashSet<>() : null;
    }

    /**
     * Whether a uid takes the publication: not excluded by the push and not reached through an earlier
     * part. A uid that takes it counts as reached from now on.
     */
    public boolean takes(String uid, Publication publication) {
        if (!publication.isFor(uid)) {
            return false;
        }
        return reached == null || reached.add(uid);
    }

    /** Counts the connections one uid's delivery reached. */
    public void add(int connections) {
        sessions += connections;
        uids += connections > 0 ? 1 : 0;
    }

    /**
     * Counts a publication with a ttl that reached no connection of its uid: it waits in the uid's
     * inbox, or found no room there.
     */
    public void offline(Publication publication) {
        if (publication.waiting()) {
            queued++;
        } else if (publication.hasTtl()) {
            dropped++;
        }
    }

    public int sessions() {
        return sessions;
    }

    public PushResult result() {
        return PushResult.of(sessions, uids, queued, dropped);
    }
}
