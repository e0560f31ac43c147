package dev.herald.client;

/**
 * What a push reached.
 *
 * @param connections connections the message was queued on
 * @param uids distinct uids among those connections
 * @param queued uids named that had no connection and whose inbox took the message (a push with a ttl)
 * @param dropped uids named that had no connection and whose inbox had no room for it
 * @param duplicate whether the push repeated an earlier one's id and target: these are that push's
 *     counts, and nothing was delivered again
 * @param receipt the id of the push's receipt ({@link HeraldClient#receipt}), or {@code null}
 */
public record PushResult(int connections, int uids, int queued, int dropped, boolean duplicate, String receipt) {

    /** The counts of a push without a ttl, id or receipt. */
    public PushResult(int connections, int uids) {
        this(connections, uids, 0, 0, false, null);
    }

    /** The counts of a push without a receipt. */
    public PushResult(int connections, int uids, int queued, int dropped, boolean duplicate) {
        this(connections, uids, queued, dropped, duplicate, null);
    }

    /** Whether at least one connection got the message (the seed's {@code ok}). */
    public boolean delivered() {
        return connections > 0;
    }
}
