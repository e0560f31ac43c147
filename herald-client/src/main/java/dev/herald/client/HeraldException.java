package dev.herald.client;

/**
 * A call failed. Thrown by the synchronous methods; the asynchronous ones fail their future with it.
 *
 * <p>This class itself means the server answered with an error: the request was refused and, except
 * for {@link ErrorCode#INTERNAL}, nothing was done (a push reached nobody, a join added nobody).
 * Retrying the same request fails again, except after {@code INTERNAL}. The subclass {@link
 * HeraldTransportException} means there was no usable answer, so the outcome is unknown.
 */
public class HeraldException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final String codeName;
    private final String field;
    private final int httpStatus;

    /**
     * @param codeName the error code as the server wrote it
     * @param message for people
     * @param field the offending field as a path ({@code uids[2]}, {@code [0].data}), or {@code null}
     * @param httpStatus the HTTP status, or 0 when the error did not come over HTTP
     */
    public HeraldException(String codeName, String message, String field, int httpStatus) {
        this(codeName, message, field, httpStatus, null);
    }

    public HeraldException(String codeName, String message, String field, int httpStatus, Throwable cause) {
        super(message, cause);
        this.code = ErrorCode.of(codeName);
        this.codeName = codeName;
        this.field = field;
        this.httpStatus = httpStatus;
    }

    /** The error code; {@link ErrorCode#UNKNOWN} for a code this client does not know. */
    public ErrorCode code() {
        return code;
    }

    /** The error code as the server wrote it (or the client's own: {@code transport}, {@code timeout}…). */
    public String codeName() {
        return codeName;
    }

    /** The offending field as a path ({@code uids[2]}, {@code [0].data}, {@code limit}), or {@code null}. */
    public String field() {
        return field;
    }

    /** The HTTP status of the reply; 0 on the Text port and when no reply came. */
    public int httpStatus() {
        return httpStatus;
    }

    /**
     * The same failure as a new exception thrown from the current thread, so that a synchronous
     * caller's stack trace shows its own call; the original is the cause.
     */
    HeraldException rethrown() {
        return new HeraldException(codeName, getMessage(), field, httpStatus, this);
    }
}
