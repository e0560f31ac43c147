package dev.herald.client;

/**
 * No usable reply came: the connection could not be opened, failed or closed before the reply
 * ({@link ErrorCode#TRANSPORT}), the call timed out ({@link ErrorCode#TIMEOUT}), or the reply was not
 * Herald's ({@link ErrorCode#BAD_REPLY}). The outcome is unknown: a push may or may not have been
 * delivered. The client is still usable; the next call opens a new connection when needed.
 */
public class HeraldTransportException extends HeraldException {

    private static final long serialVersionUID = 1L;

    public HeraldTransportException(ErrorCode code, String message, Throwable cause) {
        this(code, message, 0, cause);
    }

    /** @param httpStatus the status of a reply that was not Herald's, else 0 */
    public HeraldTransportException(ErrorCode code, String message, int httpStatus, Throwable cause) {
        super(code.codeName(), message, null, httpStatus, cause);
    }

    /** Whether the call timed out. */
    public boolean isTimeout() {
        return code() == ErrorCode.TIMEOUT;
    }

    @Override
    HeraldException rethrown() {
        return new HeraldTransportException(code(), getMessage(), httpStatus(), this);
    }
}
