package dev.herald.protocol.backend;

/**
 * Why a command was refused: {@code {"error":{"code":…,"message":…,"field":…}}} on both adapters.
 *
 * @param code one of the {@code *} constants: a stable, machine-readable word
 * @param message for people
 * @param field the offending field as a path ({@code uids[2]}, {@code [0].data}), or {@code null}
 */
public record ApiError(String code, String message, String field) {

    /** The body is not JSON, or not the JSON type the command takes. */
    public static final String INVALID_JSON = "invalid_json";
    /** A required field is absent. */
    public static final String MISSING_FIELD = "missing_field";
    /** A field has a wrong type or value (an empty uid, a bad group name, a limit out of range…). */
    public static final String INVALID_FIELD = "invalid_field";
    /** A field the command does not take (often a typo, such as {@code uid} for {@code uids}). */
    public static final String UNKNOWN_FIELD = "unknown_field";
    /** A batch with more pushes than {@code api.max-batch}. */
    public static final String TOO_MANY = "too_many";
    /** {@code join}: a uid is in {@code api.max-groups-per-uid} groups already; none of the uids joined. */
    public static final String TOO_MANY_GROUPS = "too_many_groups";
    /** {@code receipt}: no receipt has this id (never made, or forgotten after {@code receipts.ttl}). */
    public static final String UNKNOWN_RECEIPT = "unknown_receipt";
    /** The server could not complete the command. */
    public static final String INTERNAL = "internal";
    /** HTTP only: no such command. */
    public static final String NOT_FOUND = "not_found";
    /** HTTP only: the method is not POST (or GET where allowed). */
    public static final String METHOD_NOT_ALLOWED = "method_not_allowed";
    /** HTTP only: missing or unknown API key. */
    public static final String UNAUTHORIZED = "unauthorized";
    /**
     * The key lacks the scope of the command ({@code push} or {@code admin}); over HTTP also: no API keys
     * are configured and the request is not from loopback.
     */
    public static final String FORBIDDEN = "forbidden";
    /** Past {@code http.max-pushes-per-second} or {@code text.max-pushes-per-second}; nothing was pushed. */
    public static final String RATE_LIMITED = "rate_limited";
    /** HTTP only: the body is larger than {@code http.max-body-bytes}. */
    public static final String TOO_LARGE = "too_large";
    /** HTTP only: a body that is not {@code application/json}. */
    public static final String UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type";
    /**
     * HTTP only: a request that is not well-formed HTTP/1.x (the connection is closed after the answer),
     * or whose path does not percent-decode.
     */
    public static final String BAD_REQUEST = "bad_request";
    /** HTTP only: the request line is longer than the server accepts (the connection is closed). */
    public static final String URI_TOO_LONG = "uri_too_long";
    /** HTTP only: the header block is larger than the server accepts (the connection is closed). */
    public static final String HEADERS_TOO_LARGE = "headers_too_large";
    /** HTTP only: an {@code Expect} header other than {@code 100-continue}. */
    public static final String EXPECTATION_FAILED = "expectation_failed";
    /** HTTP only ({@code POST /admin/reload}): the configuration read again is invalid; nothing was applied. */
    public static final String INVALID_CONFIG = "invalid_config";

    public static ApiError field(String code, String field, String message) {
        return new ApiError(code, field + ": " + message, field);
    }

    /** The HTTP status of this error. */
    public int httpStatus() {
        return switch (code) {
            case INTERNAL -> 500;
            case NOT_FOUND, UNKNOWN_RECEIPT -> 404;
            case METHOD_NOT_ALLOWED -> 405;
            case UNAUTHORIZED -> 401;
            case FORBIDDEN -> 403;
            case TOO_MANY_GROUPS -> 409;
            case RATE_LIMITED -> 429;
            case TOO_LARGE -> 413;
            case UNSUPPORTED_MEDIA_TYPE -> 415;
            case URI_TOO_LONG -> 414;
            case HEADERS_TOO_LARGE -> 431;
            case EXPECTATION_FAILED -> 417;
            default -> 400;
        };
    }
}
