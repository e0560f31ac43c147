package dev.herald.client;

import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Why a call failed: the server's error codes (README, "Command errors"), plus the client's own for
 * calls that got no usable reply ({@link #TRANSPORT}, {@link #TIMEOUT}, {@link #BAD_REPLY}).
 */
public enum ErrorCode {
    /** The parameters are not JSON (for instance {@link Push.Target#dataJson} text that is not JSON). */
    INVALID_JSON("invalid_json"),
    /** A required field is absent: {@link HeraldException#field()} names it. */
    MISSING_FIELD("missing_field"),
    /** A field has a wrong type or value (an empty uid, a bad group name, a limit out of range…). */
    INVALID_FIELD("invalid_field"),
    /** A field the command does not take. */
    UNKNOWN_FIELD("unknown_field"),
    /** A batch with more pushes than the server's {@code api.max-batch}. */
    TOO_MANY("too_many"),
    /** Missing or unknown API key (HTTP), or Text-port key ({@link HeraldClient.Builder#textKey}). */
    UNAUTHORIZED("unauthorized"),
    /**
     * The key lacks the scope of the command ({@code push} or {@code admin}); over HTTP also: the server has
     * no API keys and this client is not on its loopback.
     */
    FORBIDDEN("forbidden"),
    /** Past the server's pushes per second for this key or connection; nothing was pushed, retry later. */
    RATE_LIMITED("rate_limited"),
    /** Text port: the server has {@code text.max-connections} open; it closes this one. */
    TOO_MANY_CONNECTIONS("too_many_connections"),
    /** HTTP: no such path (a wrong base URI). */
    NOT_FOUND("not_found"),
    /** {@code receipt}: no receipt has this id (never asked for, or forgotten after {@code receipts.ttl}). */
    UNKNOWN_RECEIPT("unknown_receipt"),
    /** HTTP: wrong method (a wrong base URI or a proxy in the way). */
    METHOD_NOT_ALLOWED("method_not_allowed"),
    /** HTTP: the body is larger than the server's {@code http.max-body-bytes}. */
    TOO_LARGE("too_large"),
    /** HTTP: the body was not {@code application/json}. */
    UNSUPPORTED_MEDIA_TYPE("unsupported_media_type"),
    /** The server could not complete the command (it logged why); it may have been partly done. */
    INTERNAL("internal"),
    /** Text port: the line was longer than {@code text.max-line-bytes}; the server closes the connection. */
    LINE_TOO_LONG("line_too_long"),
    /** An error code this client does not know: see {@link HeraldException#codeName()}. */
    UNKNOWN("unknown"),
    /** Client side: the connection failed or closed before the reply came; the outcome is unknown. */
    TRANSPORT("transport"),
    /** Client side: no reply within the timeout; the outcome is unknown. */
    TIMEOUT("timeout"),
    /** Client side: a reply came that is not Herald's (a wrong address or a proxy); the outcome is unknown. */
    BAD_REPLY("bad_reply");

    private static final Map<String, ErrorCode> BY_NAME =
            Stream.of(values()).collect(Collectors.toUnmodifiableMap(ErrorCode::codeName, Function.identity()));

    private final String codeName;

    ErrorCode(String codeName) {
        this.codeName = codeName;
    }

    /** The code as the server writes it ({@code missing_field}). */
    public String codeName() {
        return codeName;
    }

    /** The constant for a code the server wrote, or {@link #UNKNOWN}. */
    public static ErrorCode of(String codeName) {
        return BY_NAME.getOrDefault(codeName, UNKNOWN);
    }
}
