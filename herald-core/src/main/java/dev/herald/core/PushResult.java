package dev.herald.core;

/**
 * What a push reached.
 *
 * @param sessions connections the message was queued on
 * @param uids distinct uids among those connections
 */
public record PushResult(int sessions, int uids) {

    public static final PushResult NONE = new PushResult(0, 0);
    private static final PushResult ONE = new PushResult(1, 1);

    /** The result for these counts; the common ones (nothing, one connection) are shared instances. */
    public static PushResult of(int sessions, int uids) {
        if (sessions == 0 && uids == 0) {
            return NONE;
        }
        return sessions == 1 && uids == 1 ? ONE : new PushResult(sessions, uids);
    }

    /** Whether at least one connection got the message (the seed's {@code ok}). */
    public boolean delivered() {
        return sessions > 0;
    }

    public PushResult plus(PushResult other) {
        return new PushResult(sessions + other.sessions, uids + other.uids);
    }
}
