package dev.herald.protocol.client;

import java.nio.charset.StandardCharsets;

/**
 * The seed's bind: the first message a client sends is its uid, taken verbatim (no trimming).
 *
 * <p>A uid is valid when it is not empty and its UTF-8 form is at most {@code maxUidBytes} long.
 */
public final class BindRequest {

    private BindRequest() {}

    /** Why {@code uid} cannot be bound, as a close-frame reason, or {@code null} if it can. */
    public static String violation(String uid, int maxUidBytes) {
        if (uid.isEmpty()) {
            return "empty uid";
        }
        // Cheap bound first: a UTF-8 char is at most 3 bytes per UTF-16 unit.
        if (uid.length() * 3 > maxUidBytes && uid.getBytes(StandardCharsets.UTF_8).length > maxUidBytes) {
            return "uid longer than " + maxUidBytes + " bytes";
        }
        return null;
    }
}
