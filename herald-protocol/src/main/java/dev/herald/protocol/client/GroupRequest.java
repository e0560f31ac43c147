package dev.herald.protocol.client;

import dev.herald.protocol.Names;
import dev.herald.protocol.backend.ApiError;

/**
 * A bound client's request to join or leave a group ({@code websocket.client-groups}): the text
 * message {@code join <group>} or {@code leave <group>}. The verb is lower case and followed by one
 * space; the group is the rest of the message, verbatim. Membership belongs to the client's uid, as
 * with a backend's {@code join}.
 *
 * @param join {@code true} for {@code join}, {@code false} for {@code leave}
 * @param group the group name as sent, not yet validated ({@link #refusal})
 */
public record GroupRequest(boolean join, String group) {

    /**
     * The request a client's text message makes, or {@code null} if it makes none (the server ignores
     * it). {@code join} or {@code leave} alone, or followed by a space and nothing, is a request for the
     * empty group name, which {@link #refusal} refuses: the client meant a request.
     */
    public static GroupRequest parse(String text) {
        if (text.startsWith("join")) {
            return parse(text, "join".length(), true);
        }
        if (text.startsWith("leave")) {
            return parse(text, "leave".length(), false);
        }
        return null;
    }

    private static GroupRequest parse(String text, int verbLength, boolean join) {
        if (text.length() == verbLength) {
            return new GroupRequest(join, "");
        }
        if (text.charAt(verbLength) != ' ') {
            return null;
        }
        return new GroupRequest(join, text.substring(verbLength + 1));
    }

    /**
     * Why the server refuses the request, or {@code null}: the group must be a valid group name (as in
     * the backend commands, 1 to {@code maxGroupBytes} UTF-8 bytes without whitespace or control
     * characters). The error names the field {@code group}.
     */
    public ApiError refusal(int maxGroupBytes) {
        String violation = Names.groupViolation(group, maxGroupBytes);
        return violation == null ? null : ApiError.field(ApiError.INVALID_FIELD, "group", violation);
    }
}
