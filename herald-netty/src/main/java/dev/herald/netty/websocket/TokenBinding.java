package dev.herald.netty.websocket;

import dev.herald.core.CloseReason;
import dev.herald.core.auth.AuthException;
import dev.herald.core.auth.Authenticator;
import dev.herald.core.auth.Identity;
import dev.herald.protocol.Names;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connect tokens on a WebSocket connection, for both protocols: verified once at bind (off the caller
 * when keys have to be fetched; continued on the connection's event loop), refused with the close code
 * of the reason, and the connection closed with {@link CloseReason#TOKEN_EXPIRED} when its token
 * expires unless the client refreshed it first.
 */
final class TokenBinding {

    private static final Logger log = LoggerFactory.getLogger(TokenBinding.class);

    private TokenBinding() {}

    /**
     * Verifies a token and, on the event loop, hands the identity to {@code bind} if the connection is
     * still open and the token's uid and groups are valid names; otherwise closes the connection.
     */
    static void verify(
            ClientServices services,
            WebSocketConfig config,
            WebSocketSession session,
            String token,
            Consumer<Identity> bind) {
        Authenticator auth = services.auth().get();
        auth.verify(token).whenComplete((identity, failure) -> {
            Runnable next = () -> {
                if (session.isClosing()) {
                    return;
                }
                if (failure != null) {
                    refuse(services, session, failure);
                    return;
                }
                String violation =
                        violation(identity, config, services.maxGroupBytes().getAsInt());
                if (violation != null) {
                    refuse(services, session, new AuthException(AuthException.Kind.INVALID, violation));
                    return;
                }
                services.stats().tokensAccepted.increment();
                watch(session, identity, auth.clockSkewMillis());
                bind.accept(identity);
            };
            if (session.channel().eventLoop().inEventLoop()) {
                next.run();
            } else {
                session.channel().eventLoop().execute(next);
            }
        });
    }

    /** Why a verified token cannot bind: a sub that is no valid uid, or a group that is no valid name. */
    static String violation(Identity identity, WebSocketConfig config, int maxGroupBytes) {
        String uid = Names.uidViolation(identity.uid(), config.maxUidBytes());
        if (uid != null) {
            return "sub: " + uid;
        }
        for (String group : identity.groups()) {
            String name = Names.groupViolation(group, maxGroupBytes);
            if (name != null) {
                return "groups: " + name;
            }
        }
        return null;
    }

    /** Closes a connection whose token was refused, with the code that says whether to retry. */
    static void refuse(ClientServices services, WebSocketSession session, Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (!(cause instanceof AuthException refused)) {
            log.warn("token verification failed session={}", session.id(), cause);
            session.close(CloseReason.INTERNAL_ERROR);
            return;
        }
        services.stats().tokenRefused(refused.kind());
        log.info(
                "refused token session={} remote={} reason={}",
                session.id(),
                session.remoteAddress(),
                refused.getMessage());
        session.close(closeReason(refused.kind()), refused.getMessage());
    }

    static CloseReason closeReason(AuthException.Kind kind) {
        return switch (kind) {
            case INVALID -> CloseReason.INVALID_TOKEN;
            case EXPIRED -> CloseReason.TOKEN_EXPIRED;
            case UNAVAILABLE -> CloseReason.TRY_AGAIN_LATER;
        };
    }

    /** A bare uid while tokens are required. */
    static void refuseBareUid(ClientServices services, WebSocketSession session) {
        services.stats().bareUidsRefused.increment();
        log.info("refused bare uid session={} remote={}: a token is required", session.id(), session.remoteAddress());
        session.close(CloseReason.TOKEN_REQUIRED, "a connect token is required");
    }

    /**
     * Closes the connection when its token expires (plus the clock skew allowed), unless {@link #watch}
     * is called again first with a refreshed one. On the event loop.
     */
    static void watch(WebSocketSession session, Identity identity, long clockSkewMillis) {
        session.cancelExpiry();
        if (!identity.expires()) {
            return;
        }
        long delay = Math.max(0, identity.expiresAt() + clockSkewMillis - System.currentTimeMillis());
        session.expiry = session.channel()
                .eventLoop()
                .schedule(
                        () -> {
                            log.debug("token expired session={} uid={}", session.id(), identity.uid());
                            session.close(CloseReason.TOKEN_EXPIRED);
                        },
                        delay,
                        TimeUnit.MILLISECONDS);
    }
}
