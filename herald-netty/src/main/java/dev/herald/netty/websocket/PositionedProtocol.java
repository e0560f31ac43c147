package dev.herald.netty.websocket;

import dev.herald.core.CloseReason;
import dev.herald.core.Message;
import dev.herald.core.Resumption;
import dev.herald.core.history.Publication;
import dev.herald.core.history.Recovery;
import dev.herald.core.history.StreamPosition;
import dev.herald.core.history.Subscriber;
import dev.herald.protocol.Names;
import dev.herald.protocol.client.ClientFrame;
import dev.herald.protocol.client.ClientFrame.Ack;
import dev.herald.protocol.client.ClientFrame.Hello;
import dev.herald.protocol.client.ClientFrame.Invalid;
import dev.herald.protocol.client.ClientJson;
import java.util.List;
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

    PositionedProtocol(ClientServices services, WebSocketConfig config, WebSocketSession session) {
        this.services = services;
        this.config = config;
        this.session = session;
        session.v1 = true;
    }

    /** A whole text message from the client (valid UTF-8). */
    void message(byte[] content) {
        ClientFrame frame = ClientJson.parse(content);
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

    private void hello(Hello hello) {
        String violation = Names.uidViolation(hello.uid(), config.maxUidBytes());
        if (violation != null) {
            log.debug("refused uid session={} reason={}", session.id(), violation);
            session.close(CloseReason.INVALID_UID, violation);
            return;
        }
        uid = hello.uid();
        session.uid = uid;
        session.bound = true;
        Subscriber subscriber = new Subscriber(uid, this);
        this.subscriber = subscriber;
        session.subscribe(subscriber);
        Resumption.resume(services.hub(), services.pusher().engine(), session, subscriber, hello.streams())
                .whenComplete((bound, failure) -> {
                    if (failure != null) {
                        log.warn("resume failed session={} uid={}", session.id(), uid, failure);
                        session.close(CloseReason.INTERNAL_ERROR);
                    } else if (bound) {
                        services.stats().resumes.increment();
                        log.debug(
                                "hello session={} uid={} streams={}",
                                session.id(),
                                uid,
                                hello.streams().size());
                    }
                });
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
        for (Recovery answer : answers) {
            services.stats().recovered(answer.kind());
        }
        session.sendMessage(Message.ofUtf8(ClientJson.welcome(
                session.id().toString(), uid, config.pingInterval().toSeconds(), answers)));
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
