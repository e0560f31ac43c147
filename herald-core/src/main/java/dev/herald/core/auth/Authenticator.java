package dev.herald.core.auth;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Verifies connect tokens, for every transport: what a client sends to bind (a seed client's first
 * message, a {@code herald.v1} hello's {@code token}) becomes an {@link Identity} or is refused.
 *
 * <p>Thread-safe. {@link #verify} never blocks the caller: an implementation that has to fetch keys
 * does it elsewhere and completes later.
 */
public interface Authenticator {

    /** No key configured: every first message is a bare uid, as in the seed. */
    Authenticator NONE = new Authenticator() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public boolean allowsBareUid() {
            return true;
        }

        @Override
        public long clockSkewMillis() {
            return 0;
        }

        @Override
        public CompletionStage<Identity> verify(String token) {
            return CompletableFuture.failedFuture(
                    new AuthException(AuthException.Kind.INVALID, "no token key is configured"));
        }
    };

    /** Whether a token key is configured: tokens are verified, and bare uids refused unless allowed. */
    boolean enabled();

    /** Whether a client may still bind with a bare uid ({@code auth.allow-bare-uid}, or no key at all). */
    boolean allowsBareUid();

    /** How far past {@code exp} a token is still good ({@code auth.clock-skew}); an open connection too. */
    long clockSkewMillis();

    /**
     * Verifies a token: its signature, algorithm, expiry (with the allowed clock skew), audience and
     * issuer. Fails with an {@link AuthException} saying why it was refused.
     */
    CompletionStage<Identity> verify(String token);

    /**
     * Whether a seed client's first message is a token rather than a bare uid: the compact form of a
     * JWS, three base64url parts joined by two dots, the first one a JSON object ({@code eyJ}). A uid of
     * that shape cannot bind bare once tokens are on.
     */
    static boolean isToken(String first) {
        if (!first.startsWith("eyJ")) {
            return false;
        }
        int dots = 0;
        for (int i = 0; i < first.length(); i++) {
            char c = first.charAt(i);
            if (c == '.') {
                dots++;
            } else if (!(c >= 'A' && c <= 'Z'
                    || c >= 'a' && c <= 'z'
                    || c >= '0' && c <= '9'
                    || c == '-'
                    || c == '_')) {
                return false;
            }
        }
        return dots == 2;
    }
}
