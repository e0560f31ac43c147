package dev.herald.protocol.backend;

/** Why a backend line was refused: the code after {@code error } in a Text-port reply. */
public enum BackendError {
    /** The line was empty. */
    EMPTY_LINE("empty_line"),
    /** The line is not one well-formed JSON object. */
    INVALID_JSON("invalid_json"),
    /** The line is not well-formed UTF-8. */
    INVALID_UTF8("invalid_utf8"),
    /** The JSON object has no top-level {@code uid}. */
    MISSING_UID("missing_uid"),
    /** The {@code uid} is neither a string nor an integer. */
    INVALID_UID("invalid_uid"),
    /** The line passed {@code text.max-line-bytes}; the server closes the connection after replying. */
    LINE_TOO_LONG("line_too_long"),
    /**
     * The connection stopped in the middle of a line for {@code text.read-timeout}; the server closes it
     * after replying.
     */
    READ_TIMEOUT("read_timeout"),
    /**
     * {@code text.keys} is set and the connection's first line is not {@code auth} with one of them (or
     * it sent none within {@code text.read-timeout}); the server closes the connection after replying.
     */
    UNAUTHORIZED("unauthorized"),
    /** The connection's key lacks the scope of the line ({@code push} for a seed line). */
    FORBIDDEN("forbidden"),
    /** The connection passed {@code text.max-pushes-per-second}; the line was not pushed. */
    RATE_LIMITED("rate_limited"),
    /** {@code text.max-connections} connections are open; the server closes this one after replying. */
    TOO_MANY_CONNECTIONS("too_many_connections"),
    /** The server could not complete the push (engine failure). */
    INTERNAL("internal");

    private final String code;

    BackendError(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
