package dev.herald.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A JDK {@code java.net.http} WebSocket client that records what it receives, for tests. Every wait
 * is bounded (10 s); nothing sleeps.
 */
public final class WebSocketRecorder implements WebSocket.Listener, AutoCloseable {

    public static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** A close frame received from the server. */
    public record Close(int code, String reason) {}

    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final AtomicInteger pings = new AtomicInteger();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    private WebSocketRecorder() {}

    /** Opens a connection and waits for the handshake. */
    public static WebSocketRecorder connect(URI uri) {
        return connect(HTTP, uri);
    }

    /** Opens a connection with the given client (a {@code wss://} one that trusts a test certificate). */
    public static WebSocketRecorder connect(HttpClient client, URI uri) {
        WebSocketRecorder recorder = new WebSocketRecorder();
        recorder.socket = client.newWebSocketBuilder()
                .connectTimeout(TIMEOUT)
                .buildAsync(uri, recorder)
                .orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .join();
        return recorder;
    }

    /** Opens a connection and sends {@code uid} as its first message, as the seed's page does. */
    public static WebSocketRecorder bind(URI uri, String uid) {
        WebSocketRecorder recorder = connect(uri);
        recorder.send(uid);
        return recorder;
    }

    /** {@link #bind(URI, String)} with the given client. */
    public static WebSocketRecorder bind(HttpClient client, URI uri, String uid) {
        WebSocketRecorder recorder = connect(client, uri);
        recorder.send(uid);
        return recorder;
    }

    public WebSocketRecorder send(String text) {
        socket.sendText(text, true)
                .orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .join();
        return this;
    }

    public WebSocketRecorder sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true)
                .orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .join();
        return this;
    }

    public WebSocket socket() {
        return socket;
    }

    /** The next text message, waiting up to 10 s; fails if a close or error comes first. */
    public String awaitMessage() {
        Object event = next();
        if (!(event instanceof String text)) {
            throw new AssertionError("expected a message, got " + event);
        }
        return text;
    }

    /** The server's close frame, skipping nothing: fails if a message comes first. */
    public Close awaitClose() {
        Object event = next();
        if (!(event instanceof Close close)) {
            throw new AssertionError("expected a close, got " + event);
        }
        return close;
    }

    /** Messages received until the server's close frame, and that close. */
    public record Closing(java.util.List<String> messages, Close close) {}

    /** Collects messages until a close frame arrives (each wait bounded); fails on an error. */
    public Closing awaitMessagesUntilClose() {
        java.util.List<String> messages = new java.util.ArrayList<>();
        while (true) {
            Object event = next();
            if (event instanceof String text) {
                messages.add(text);
            } else if (event instanceof Close close) {
                return new Closing(messages, close);
            } else {
                throw new AssertionError("expected messages and a close, got " + event);
            }
        }
    }

    /**
     * Removes and returns, without waiting, the messages received so far that no await consumed;
     * closes and errors among them are dropped. For clients whose traffic is checked after the fact.
     */
    public java.util.List<String> drainMessages() {
        java.util.List<Object> received = new java.util.ArrayList<>();
        events.drainTo(received);
        return received.stream()
                .filter(String.class::isInstance)
                .map(String.class::cast)
                .toList();
    }

    /** Pings received so far; the JDK answers each with a pong by itself. They are not events. */
    public int pings() {
        return pings.get();
    }

    /** Fails if anything was received that no earlier await consumed. */
    public void assertNoMoreMessages() {
        assertThat(events).as("unexpected events").isEmpty();
    }

    private Object next() {
        try {
            Object event = events.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (event == null) {
                fail("nothing received within " + TIMEOUT);
            }
            return event;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            events.add(partial.toString());
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        pings.incrementAndGet();
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        events.add(new Close(statusCode, reason));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        events.add(error);
    }

    @Override
    public void close() {
        if (socket != null && !socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(e -> null);
        }
        if (socket != null) {
            socket.abort();
        }
    }
}
