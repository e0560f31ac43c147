package dev.herald.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.CloseReason;
import dev.herald.core.Session;
import dev.herald.core.SessionId;
import dev.herald.core.history.Publication;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A session that records what it is sent, for tests of the core without sockets. */
public final class RecordingSession implements Session {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final SessionId id = SessionId.next();
    private final BlockingQueue<Publication> messages = new LinkedBlockingQueue<>();
    private volatile CloseReason closeReason;
    private volatile String closeText;

    @Override
    public SessionId id() {
        return id;
    }

    @Override
    public boolean send(Publication publication) {
        if (closeReason != null) {
            return false;
        }
        messages.add(publication);
        return true;
    }

    @Override
    public void close(CloseReason reason, String text) {
        if (closeReason == null) {
            closeReason = reason;
            closeText = text;
        }
    }

    public String closeText() {
        return closeText;
    }

    public CloseReason closeReason() {
        return closeReason;
    }

    /** The next message as text, waiting up to 10 s. */
    public String awaitMessage() {
        return awaitPublication().message().text();
    }

    /** The next publication, waiting up to 10 s. */
    public Publication awaitPublication() {
        try {
            Publication publication = messages.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(publication)
                    .as("message within %s on session %s", TIMEOUT, id)
                    .isNotNull();
            return publication;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public void assertNoMoreMessages() {
        assertThat(messages).as("unexpected messages on session %s", id).isEmpty();
    }
}
