package dev.herald.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@code herald.v1} client for tests (docs/protocol.md §4), on the JDK's WebSocket: it sends a
 * hello with the positions it holds, checks every {@code msg} against them as a client library must
 * (the previous offset {@code p} must be the position it holds), answers pings as they arrive unless
 * told not to, and records what it receives. Every wait is bounded (10 s).
 */
public final class HeraldV1Client implements WebSocket.Listener, AutoCloseable {

    public static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A {@code msg}: a message at its position; {@code data} is the text a seed client would get. */
    public record Msg(String stream, String epoch, long offset, long previous, String data) {}

    /** A position the client holds. */
    public record Position(String epoch, long offset) {}

    /** A close frame from the server. */
    public record Close(int code, String reason) {}

    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    private final Map<String, Position> positions = new LinkedHashMap<>();
    private volatile boolean answerPings = true;
    private volatile boolean ended;
    private Duration timeout = TIMEOUT;
    private WebSocket socket;

    private HeraldV1Client(Map<String, Position> positions) {
        this.positions.putAll(positions);
    }

    /** Opens a connection offering {@code herald.v1} and checks that the server chose it. */
    public static HeraldV1Client connect(URI uri) {
        return connect(uri, Map.of());
    }

    /** Opens a connection that holds the given positions (those of an earlier connection). */
    public static HeraldV1Client connect(URI uri, Map<String, Position> positions) {
        return connect(uri, positions, TIMEOUT);
    }

    /**
     * Opens a connection that holds the given positions, waiting at most {@code timeout} for the
     * handshake and then for each answer (for tests whose network breaks on purpose).
     */
    public static HeraldV1Client connect(URI uri, Map<String, Position> positions, Duration timeout) {
        HeraldV1Client client = new HeraldV1Client(positions);
        client.timeout = timeout;
        client.socket = HTTP.newWebSocketBuilder()
                .connectTimeout(timeout)
                .subprotocols("herald.v1")
                .buildAsync(uri, client)
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .join();
        assertThat(client.socket.getSubprotocol()).as("negotiated subprotocol").isEqualTo("herald.v1");
        return client;
    }

    /** Sends a hello with the positions held, and waits for the welcome (which it applies). */
    public JsonNode hello(String uid) {
        return hello(JSON.createObjectNode().put("t", "hello").put("uid", uid));
    }

    /** Sends a hello with a connect token and the positions held, and waits for the welcome. */
    public JsonNode helloWithToken(String token) {
        return hello(JSON.createObjectNode().put("t", "hello").put("token", token));
    }

    /** Sends a hello with a connect token and the positions held, without waiting for an answer. */
    public HeraldV1Client sendHelloWithToken(String token) {
        ObjectNode hello = JSON.createObjectNode().put("t", "hello").put("token", token);
        hello.putObject("streams");
        return send(hello.toString());
    }

    private JsonNode hello(ObjectNode hello) {
        ObjectNode streams = hello.putObject("streams");
        synchronized (positions) {
            positions.forEach((stream, position) -> {
                if (position.epoch() != null) { // a stream it has seen no message of: nothing to resume
                    streams.putObject(stream).put("e", position.epoch()).put("o", position.offset());
                }
            });
        }
        send(hello.toString());
        JsonNode welcome = awaitJson();
        assertThat(welcome.path("t").asText())
                .as("answer to hello: %s", welcome)
                .isEqualTo("welcome");
        synchronized (positions) {
            for (Map.Entry<String, JsonNode> answer : welcome.path("streams").properties()) {
                JsonNode e = answer.getValue().path("e");
                positions.put(
                        answer.getKey(),
                        new Position(
                                e.isNull() ? null : e.asText(),
                                answer.getValue().path("o").asLong()));
            }
        }
        return welcome;
    }

    public HeraldV1Client send(String text) {
        socket.sendText(text, true)
                .orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .join();
        return this;
    }

    /** Sends a cumulative ack of one stream. */
    public HeraldV1Client ack(String stream, long offset) {
        return send("{\"t\":\"ack\",\"streams\":{\"" + stream + "\":" + offset + "}}");
    }

    /** Whether to answer the server's {@code {"t":"ping"}} with a pong (the default). */
    public HeraldV1Client answerPings(boolean answer) {
        this.answerPings = answer;
        return this;
    }

    /**
     * The next {@code msg}, checked against the position held: same epoch and {@code p} equal to the
     * offset held (or a new epoch with {@code p} 0), then held as the new position.
     */
    public Msg awaitMsg() {
        JsonNode json = awaitJson();
        assertThat(json.path("t").asText()).as("expected a msg, got %s", json).isEqualTo("msg");
        return accept(json);
    }

    private Msg accept(JsonNode json) {
        Msg msg = new Msg(
                json.path("s").asText(),
                json.path("e").asText(),
                json.path("o").asLong(),
                json.path("p").asLong(),
                json.path("d").asText());
        synchronized (positions) {
            Position held = positions.get(msg.stream());
            if (held != null && held.epoch() != null && held.epoch().equals(msg.epoch())) {
                assertThat(msg.previous())
                        .as("previous offset of %s (held %s)", msg, held)
                        .isEqualTo(held.offset());
            } else {
                assertThat(msg.previous())
                        .as("previous offset of %s on a new epoch (held %s)", msg, held)
                        .isZero();
            }
            positions.put(msg.stream(), new Position(msg.epoch(), msg.offset()));
        }
        return msg;
    }

    /**
     * The next {@code msg} within {@code timeout}, checked as {@link #awaitMsg} checks it; {@code null} if
     * none came in time or the connection ended (then {@link #ended()} is true). Other messages are
     * skipped. For tests where connections break on purpose.
     */
    public Msg pollMsg(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (!ended) {
                Object event = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (event == null) {
                    return null;
                }
                if (event instanceof Close || event instanceof Throwable) {
                    ended = true;
                    return null;
                }
                JsonNode json = JSON.readTree((String) event);
                if (json.path("t").asText().equals("msg")) {
                    return accept(json);
                }
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the connection ended (a close frame or an error) while {@link #pollMsg} waited. */
    public boolean ended() {
        return ended;
    }

    /** The next {@code msg}s. */
    public List<Msg> awaitMsgs(int count) {
        List<Msg> msgs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            msgs.add(awaitMsg());
        }
        return msgs;
    }

    /** The next server message of any type, as JSON (pings answered and skipped). */
    public JsonNode awaitJson() {
        Object event = next();
        if (event instanceof String text) {
            try {
                return JSON.readTree(text);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + text, e);
            }
        }
        return fail("expected a text message, got %s", event);
    }

    /** The next server message's text, as received (pings answered and skipped). */
    public String awaitText() {
        Object event = next();
        if (event instanceof String text) {
            return text;
        }
        return fail("expected a text message, got %s", event);
    }

    /** Waits for the server's close frame, skipping messages. */
    public Close awaitClose() {
        while (true) {
            Object event = next();
            if (event instanceof Close close) {
                return close;
            }
        }
    }

    /** Whether a {@code {"t":"ping"}} arrives before anything else within 10 s (not answered). */
    public JsonNode awaitPing() {
        answerPings = false;
        JsonNode json = awaitJson();
        assertThat(json.path("t").asText()).as("expected a ping, got %s", json).isEqualTo("ping");
        return json;
    }

    /** The positions held now, as a next connection would send them. */
    public Map<String, Position> positions() {
        synchronized (positions) {
            return new LinkedHashMap<>(positions);
        }
    }

    public void assertNoMoreMessages() {
        try {
            Object event = events.poll(200, TimeUnit.MILLISECONDS);
            assertThat(event).as("unexpected message").isNull();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private Object next() {
        try {
            while (true) {
                Object event = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (event == null) {
                    return fail("nothing from the server within %s", timeout);
                }
                if (event instanceof Throwable error) {
                    throw new AssertionError("WebSocket error", error);
                }
                return event;
            }
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
            String text = partial.toString();
            partial.setLength(0);
            if (answerPings && text.equals("{\"t\":\"ping\"}")) {
                webSocket.sendText("{\"t\":\"pong\"}", true); // at once, whether the test reads or not
            } else {
                events.add(text);
            }
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        events.add(new AssertionError("binary message from the server"));
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
