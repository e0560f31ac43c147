package dev.herald.core.auth;

import java.util.List;
import java.util.Objects;

/**
 * Who a connection is, as a verified connect token says: its uid, the groups it is in for as long as it
 * lasts, what the application attached to it, and until when the token is good.
 *
 * @param uid the token's subject ({@code sub})
 * @param groups the token's {@code groups} claim: joined by this connection only, for its lifetime
 * @param info the token's {@code info} claim as JSON object text, or {@code null}; shown in connection
 *     queries
 * @param expiresAt the token's {@code exp} in epoch milliseconds; 0: it does not expire
 */
public record Identity(String uid, List<String> groups, String info, long expiresAt) {

    public Identity {
        Objects.requireNonNull(uid, "uid");
        groups = List.copyOf(groups);
    }

    /** A connection that bound with a bare uid: no groups, no info, no expiry. */
    public static Identity bare(String uid) {
        return new Identity(uid, List.of(), null, 0);
    }

    public boolean expires() {
        return expiresAt != 0;
    }
}
