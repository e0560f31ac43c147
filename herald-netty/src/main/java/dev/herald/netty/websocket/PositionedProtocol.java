package dev.herald.netty.websocket;

import dev.herald.core.CloseReason;
import dev.herald.core.Message;
import dev.herald.core.Resumption;
import dev.herald.core.auth.AuthException;
import dev.herald.core.auth.Authenticator;
import dev.herald.core.auth.Identity;
import dev.herald.core.history.Publication;
import dev.herald.core.history.Recovery;
import dev.herald.core.history.StreamPosition;
import dev.herald.core.history.Subscriber;
import dev.herald.protocol.Names;
import dev.herald.protocol.client.ClientFrame;
import dev.herald.protocol.client.ClientFrame.Ack;
import dev.herald.protocol.client.ClientFrame.Hello;
import dev.herald.protocol.client.ClientFrame.Invalid;
import dev.herald.protocol.client.ClientFrame.Refresh;
import dev.herald.protocol.client.ClientJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code herald.v1} protocol of one connection (docs/protocol.md §4): the first message must be a
 * hello, which binds the uid and resumes the streams through {@link Resumption}; then acks and pongs.
 * Publications reach the client as {@code msg} envelopes through the connection's {@link Subscriber},
 * for which this is the sink. On the connection's event loop, except the sink's calls, which come from
 * any thread (and only queue frames).
 */
final class PositionedProtocol implements Subscriber.Sink {

    private static final Logger log = LoggerFactory.getLogger(PositionedProtocol.class);

    private final ClientServices services;
    private final WebSocketConfig config;
    private final WebSocketSession session;
    private String uid;
    private Subscriber subscriber;
    /** A hello's token is being verified: messages before the welcome are ignored. */
    private boolean verifying;
    /** What the connection's token said; {@code null}: it bound with a bare uid. */
    private Identity identity;
    /** The streams of the hello that the connection may not read, for the welcome. */
    private List<String> denied = List.of();

    PositionedProtocol(ClientServices services, WebSocketConfig config, WebSocketSession session) {
        this.services = services;
        this.config = config;
        this.session = session;
        session.v1 = true;
    }

    /** A whole text message from the client (valid UTF-8). */
    void message(byte[] content) {
        ClientFrame frame = ClientJson.parse(content);
        if (verifying) {
            services.stats().framesIgnored.increment();
            return;
        }
        if (uid == null) {
            if (frame instanceof Hello hello) {
                hello(hello);
            } else {
                refuse(frame instanceof Invalid invalid ? invalid.reason() : "the first message must be a hello");
            }
            return;
        }
        if (frame instanceof Ack ack) {
            ack(ack);
        } else if (frame instanceof Refresh refresh) {
            refresh(refresh);
        } else if (frame instanceof Hello) {
            error("hello_twice", "the connection is bound already");
        } else if (frame instanceof Invalid invalid) {
            if (invalid.fatal()) {
                refuse(invalid.reason());
            } else {
                error("invalid_message", invalid.reason());
            }
        } // a pong: the read itself proved the connection alive
    }

    /**
     * A cumulative ack: what waits in the inbox up to the acked offset is done. An ack counts only up to
     * what this connection was sent, in the epoch it was sent.
     */
    private void ack(Ack ack) {
        services.stats().acks.increment();
        Subscriber subscriber = this.subscriber;
        for (var acked : ack.streams().entrySet()) {
            StreamPosition sent = subscriber.position(acked.getKey());
            if (sent != null) {
                long offset = Math.min(acked.getValue(), sent.offset());
                subscriber.acked(acked.getKey(), offset, session.id().toString(), System.currentTimeMillis());
                services.pusher()
                        .engine()
                        .ack(acked.getKey(), sent.epoch(), offset)
                        .whenComplete((done, failure) -> {
                            if (failure != null) {
                                log.warn("ack failed session={} uid={}", session.id(), uid, failure);
                            }
                        });
            }
        }
    }

    /** A binary message: {@code herald.v1} is JSON text only. */
    void binary() {
        refuse("binary messages are not part of herald.v1");
    }

    /**
     * A hello: with a token (its uid is the token's; a uid beside it is ignored), or with a bare uid if
     * that is allowed.
     */
    private void hello(Hello hello) {
        Authenticator auth = services.auth().get();
        if (hello.token() != null) {
            if (!auth.enabled()) {
                TokenBinding.refuse(
                        services,
                        session,
                        new AuthException(AuthException.Kind.INVALID, "tokens are not enabled on this server"));
                return;
            }
            verifying = true;
            TokenBinding.verify(services, config, session, hello.token(), identity -> {
                verifying = false;
                this.identity = identity;
                bind(identity.uid(), hello);
            });
            return;
        }
        if (!auth.allowsBareUid()) {
            TokenBinding.refuseBareUid(services, session);
            return;
        }
        String violation = Names.uidViolation(hello.uid(), config.maxUidBytes());
        if (violation != null) {
            log.debug("refused uid session={} reason={}", session.id(), violation);
            session.close(CloseReason.INVALID_UID, violation);
            return;
        }
        bind(hello.uid(), hello);
    }

    /** Binds the connection and resumes the streams of the hello that it may read. */
    private void bind(String uid, Hello hello) {
        Map<String, StreamPosition> readable = new LinkedHashMap<>();
        List<String> denied = new ArrayList<>();
        for (Map.Entry<String, StreamPosition> stream : hello.streams().entrySet()) {
            if (services.hub().mayRead(uid, identity, stream.getKey())) {
                readable.put(stream.getKey(), stream.getValue());
            } else {
                denied.add(stream.getKey());
            }
        }
        if (!denied.isEmpty()) {
            log.debug("hello session={} uid={} denied streams {}", session.id(), uid, denied);
            this.denied = denied;
        }
        this.uid = uid;
        session.uid = uid;
        session.bound = true;
        Subscriber subscriber = new Subscriber(uid, this);
        this.subscriber = subscriber;
        session.subscribe(subscriber);
        Resumption.resume(services.hub(), services.pusher().engine(), session, subscriber, readable, identity)
                .whenComplete((bound, failure) -> {
                    if (failure != null) {
                        log.warn("resume failed session={} uid={}", session.id(), uid, failure);
                        session.close(CloseReason.INTERNAL_ERROR);
                    } else if (bound) {
                        services.stats().resumes.increment();
                        log.debug("hello session={} uid={} streams={}", session.id(), uid, readable.size());
                    }
                });
    }

    /**
     * A fresh token for the bound connection: for the same uid, it replaces the old one's expiry and
     * info (its groups stay those of the token the connection bound with). A refused one is answered
     * with an error; the connection stays until its current token expires.
     */
    private void refresh(Refresh refresh) {
        Authenticator auth = services.auth().get();
        if (!auth.enabled()) {
            error("invalid_token", "tokens are not enabled on this server");
            return;
        }
        auth.verify(refresh.token())
                .whenComplete((fresh, failure) ->
                        session.channel().eventLoop().execute(() -> refreshed(fresh, failure, auth.clockSkewMillis())));
    }

    private void refreshed(Identity fresh, Throwable failure, long clockSkewMillis) {
        if (session.isClosing()) {
            return;
        }
        if (failure != null) {
            Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
            AuthException refused = cause instanceof AuthException e
                    ? e
                    : new AuthException(AuthException.Kind.UNAVAILABLE, "token verification failed");
            services.stats().tokenRefused(refused.kind());
            log.info("refused token refresh session={} uid={} reason={}", session.id(), uid, refused.getMessage());
            error(
                    refused.kind() == AuthException.Kind.EXPIRED ? "token_expired" : "invalid_token",
                    refused.getMessage());
            return;
        }
        if (!fresh.uid().equals(uid)) {
            services.stats().tokenRefused(AuthException.Kind.INVALID);
            log.info("refused token refresh session={} uid={}: the token is for another uid", session.id(), uid);
            error("invalid_token", "the token is for another uid");
            return;
        }
        Identity kept =
                identity == null ? fresh : new Identity(uid, identity.groups(), fresh.info(), fresh.expiresAt());
        identity = kept;
        services.hub().refreshed(session, kept);
        TokenBinding.watch(session, kept, clockSkewMillis);
        services.stats().tokensRefreshed.increment();
        session.sendMessage(Message.ofUtf8(ClientJson.refreshed(kept.expiresAt() / 1000)));
    }

    private void refuse(String reason) {
        services.stats().invalidMessages.increment();
        log.debug("invalid herald.v1 message session={}: {}", session.id(), reason);
        session.close(CloseReason.INVALID_MESSAGE, reason);
    }

    private void error(String code, String message) {
        services.stats().invalidMessages.increment();
        session.sendMessage(Message.ofUtf8(ClientJson.error(code, message)));
    }

    String uid() {
        return uid;
    }

    @Override
    public boolean write(Publication publication, long previousOffset) {
        return session.sendMessage(ClientJson.messageOf(publication, previousOffset));
    }

    @Override
    public void welcome(List<Recovery> answers) {
        session.landed(services.admission());
        for (Recovery answer : answers) {
            services.stats().recovered(answer.kind());
        }
        session.sendMessage(Message.ofUtf8(ClientJson.welcome(
                session.id().toString(),
                uid,
                config.pingInterval().toSeconds(),
                answers,
                identity == null ? 0 : identity.expiresAt() / 1000,
                denied)));
        denied = List.of();
    }

    /** The connection can take more again: the subscriber writes what waited. On the event loop. */
    void writable() {
        Subscriber subscriber = this.subscriber;
        if (subscriber != null) {
            subscriber.drain();
        }
    }

    @Override
    public boolean congested() {
        return session.congested();
    }

    @Override
    public long maxParkedBytes() {
        return config.maxOutboundBytes();
    }

    @Override
    public void conflated(Publication older) {
        services.stats().conflated.increment();
    }

    @Override
    public void overflow() {
        log.warn("closing slow consumer session={} (resume)", session.id());
        session.close(CloseReason.SLOW);
    }
}
