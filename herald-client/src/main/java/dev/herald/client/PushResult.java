package dev.herald.client;

/**
 * What a push reached.
 *
 * @param connections connections the message was queued on
 * @param uids distinct uids among those connections
 */
public record PushResult(int connections, int uids) {

    /** Whether at least one connection got the message (the seed's {@code ok}). */
    public boolean delivered() {
        return connections > 0;
    }
}
