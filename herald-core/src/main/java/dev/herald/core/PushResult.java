package dev.herald.core;

/**
 * What a push reached.
 *
 * @param sessions connections the message was queued on
 * @param uids distinct uids among those connections
 */
public record PushResult(int sessions, int uids) {

    public static final PushResult NONE = new PushResult(0, 0);

    /** Whether at least one connection got the message (the seed's {@code ok}). */
    public boolean delivered() {
        return sessions > 0;
    }

    public PushResult plus(PushResult other) {
        return new PushResult(sessions + other.sessions, uids + other.uids);
    }
}
