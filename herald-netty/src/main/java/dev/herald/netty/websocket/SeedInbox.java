package dev.herald.netty.websocket;

import dev.herald.core.CloseReason;
import dev.herald.core.engine.Engine;
import dev.herald.core.history.Publication;
import dev.herald.core.history.Recovery;
import dev.herald.core.history.Subscriber;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A seed client's inbox, with {@code inbox.seed-clients}: on the bind the messages waiting for its uid
 * are sent as raw frames, in order, before live ones (through a {@link Subscriber}, so none twice), and
 * since a seed client cannot ack, a waiting message queued for it counts as acked.
 */
final class SeedInbox implements Subscriber.Sink {

    private static final Logger log = LoggerFactory.getLogger(SeedInbox.class);

    private final WebSocketSession session;
    private final Engine engine;

    SeedInbox(WebSocketSession session, Engine engine) {
        this.session = session;
        this.engine = engine;
    }

    @Override
    public boolean write(Publication publication, long previousOffset) {
        boolean queued = session.sendMessage(publication.message());
        if (queued && publication.waiting()) {
            engine.ack(publication.stream(), publication.epoch(), publication.offset())
                    .whenComplete((done, failure) -> {
                        if (failure != null) {
                            log.warn("inbox ack failed session={}", session.id(), failure);
                        }
                    });
        }
        return queued;
    }

    @Override
    public void welcome(List<Recovery> answers) {
        // The seed protocol has no welcome: the waiting messages simply come first.
    }

    @Override
    public void overflow() {
        log.warn("closing slow consumer session={} (inbox)", session.id());
        session.close(CloseReason.SLOW);
    }
}
