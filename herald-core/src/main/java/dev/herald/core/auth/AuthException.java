package dev.herald.core.auth;

/** A connect token that was refused, and why; the message is safe to show the client. */
public final class AuthException extends RuntimeException {

    /** What was wrong: the kind picks the close code. */
    public enum Kind {
        /** Not a token, a bad signature, an algorithm or key not accepted, a wrong audience or issuer. */
        INVALID,
        /** The token's {@code exp} has passed (beyond the clock skew allowed): a fresh one may work. */
        EXPIRED,
        /** The keys could not be had just now (a JWKS URL that does not answer): trying later may work. */
        UNAVAILABLE
    }

    private final Kind kind;

    public AuthException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
