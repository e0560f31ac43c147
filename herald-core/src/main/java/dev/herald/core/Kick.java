package dev.herald.core;

/**
 * Which connections to close, and the reason text they get with {@link CloseReason#KICKED}.
 *
 * @param uid close every connection of this uid, or {@code null}
 * @param session close this one connection ({@link SessionId#toString()}), or {@code null}
 * @param reason the close frame's reason text (at most 123 UTF-8 bytes)
 */
public record Kick(String uid, String session, String reason) {

    public Kick {
        if ((uid == null) == (session == null)) {
            throw new IllegalArgumentException("name exactly one of uid and session");
        }
        reason = reason == null || reason.isEmpty() ? CloseReason.KICKED.reason() : reason;
    }
}
