package dev.herald.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.CloseReason;
import dev.herald.core.Message;
import dev.herald.core.Session;
import dev.herald.core.SessionId;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A session that records what it is sent, for tests of the core without sockets. */
public final class RecordingSession implements Session {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final SessionId id = SessionId.next();
    private final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
    private volatile CloseReason closeReason;
    private volatile String closeText;

    @Override
    public SessionId id() {
        return id;
    }

    @Override
    public boolean send(Message message) {
        if (closeReason != null) {
            return false;
        }
        messages.add(message);
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
        try {
            Message message = messages.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(message)
                    .as("message within %s on session %s", TIMEOUT, id)
                    .isNotNull();
            return message.text();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public void assertNoMoreMessages() {
        assertThat(messages).as("unexpected messages on session %s", id).isEmpty();
    }
}
