package dev.herald.protocol;

import java.nio.charset.StandardCharsets;

/** What a valid uid and a valid group name are, for commands on both adapters. */
public final class Names {

    private Names() {}

    /** Why {@code uid} is not valid, or {@code null}: 1 to {@code maxBytes} UTF-8 bytes, any characters. */
    public static String uidViolation(String uid, int maxBytes) {
        if (uid.isEmpty()) {
            return "empty uid";
        }
        if (uid.length() * 3 > maxBytes && uid.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            return "uid longer than " + maxBytes + " bytes";
        }
        return null;
    }

    /**
     * Why {@code group} is not a valid group name, or {@code null}: 1 to {@code maxBytes} UTF-8 bytes,
     * no whitespace and no control characters.
     */
    public static String groupViolation(String group, int maxBytes) {
        if (group.isEmpty()) {
            return "empty group name";
        }
        if (group.length() * 3 > maxBytes && group.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            return "group name longer than " + maxBytes + " bytes";
        }
        for (int i = 0; i < group.length(); i++) {
            char c = group.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c) || Character.isSpaceChar(c)) {
                return "group name contains whitespace or a control character";
            }
        }
        return null;
    }
}
