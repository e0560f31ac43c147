package dev.herald.core;

/**
 * What a push reached.
 *
 * @param sessions connections the message was queued on
 * @param uids distinct uids among those connections
 * @param queued uids the push named that had no connection, for which the message waits in their inbox
 *     (a push with a ttl)
 * @param dropped uids the push named that had no connection, for which the message could not wait:
 *     the inboxes' byte budget ({@code inbox.max-bytes}) was spent
 * @param duplicate whether the push repeated an earlier one's id: these are the earlier one's counts,
 *     and nothing was delivered again
 * @param receipt the id of the push's receipt, or {@code null}: none was asked for
 */
public record PushResult(int sessions, int uids, int queued, int dropped, boolean duplicate, String receipt) {

    public static final PushResult NONE = new PushResult(0, 0, 0, 0, false, null);
    private static final PushResult ONE = new PushResult(1, 1, 0, 0, false, null);
    private static final PushResult QUEUED_ONE = new PushResult(0, 0, 1, 0, false, null);

    /** The seed's counts: connections and uids reached. */
    public PushResult(int sessions, int uids) {
        this(sessions, uids, 0, 0, false, null);
    }

    /** Counts without a receipt. */
    public PushResult(int sessions, int uids, int queued, int dropped, boolean duplicate) {
        this(sessions, uids, queued, dropped, duplicate, null);
    }

    /** These counts with the id of the push's receipt. */
    public PushResult withReceipt(String id) {
        return new PushResult(sessions, uids, queued, dropped, duplicate, id);
    }

    /** The result for these counts; the common ones (nothing, one connection) are shared instances. */
    public static PushResult of(int sessions, int uids) {
        if (sessions == 0 && uids == 0) {
            return NONE;
        }
        return sessions == 1 && uids == 1 ? ONE : new PushResult(sessions, uids);
    }

    /** The result for these counts; the common ones are shared instances. */
    public static PushResult of(int sessions, int uids, int queued, int dropped) {
        if (queued == 0 && dropped == 0) {
            return of(sessions, uids);
        }
        return sessions == 0 && uids == 0 && queued == 1 && dropped == 0
                ? QUEUED_ONE
                : new PushResult(sessions, uids, queued, dropped, false);
    }

    /** Whether at least one connection got the message (the seed's {@code ok}). */
    public boolean delivered() {
        return sessions > 0;
    }

    /** These counts, as the answer to a retry with the same id. */
    public PushResult asDuplicate() {
        return new PushResult(sessions, uids, queued, dropped, true, receipt);
    }

    public PushResult plus(PushResult other) {
        return new PushResult(
                sessions + other.sessions,
                uids + other.uids,
                queued + other.queued,
                dropped + other.dropped,
                duplicate && other.duplicate,
                receipt != null ? receipt : other.receipt);
    }
}
