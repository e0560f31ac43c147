package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.core.Session;
import dev.herald.testkit.RawWebSocket;
import dev.herald.testkit.TextPortClient;
import dev.herald.testkit.WebSocketRecorder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Client-side steps shared by the WebSocket ITs: bind, push over the Text port, read what the server does. */
final class WebSocketTestSupport {

    private static final AtomicInteger HEALTHY = new AtomicInteger();

    private WebSocketTestSupport() {}

    /** The line a test pushes to {@code uid}, which the bound clients receive verbatim. */
    static String message(String uid, String body) {
        return "{\"uid\":\"" + uid + "\",\"body\":\"" + body + "\"}";
    }

    /** Writes one line to the Text port and returns the reply ({@code ok} or {@code fail}). */
    static String push(HeraldServer server, String line) {
        try (TextPortClient backend = TextPortClient.connect(server.textAddress())) {
            return backend.request(line);
        }
    }

    /** A JDK client bound to {@code uid}, returned once the hub has bound this connection. */
    static WebSocketRecorder bind(HeraldServer server, String uid) {
        List<Session> before = server.hub().sessionsOf(uid);
        WebSocketRecorder client = WebSocketRecorder.bind(TestServer.ws(server), uid);
        awaitNewSession(server, uid, before);
        return client;
    }

    /** A raw client bound to {@code uid} with one text frame, returned once the hub has bound this connection. */
    static RawWebSocket bindRaw(HeraldServer server, String uid) {
        List<Session> before = server.hub().sessionsOf(uid);
        RawWebSocket client = RawWebSocket.connect(server.websocketAddress());
        client.sendText(uid);
        awaitNewSession(server, uid, before);
        return client;
    }

    /**
     * Waits for a connection of {@code uid} that was not among {@code before}: for a uid already online,
     * {@code isOnline} holds before the new connection's uid frame has even been read.
     */
    private static void awaitNewSession(HeraldServer server, String uid, List<Session> before) {
        await().until(() -> server.hub().sessionsOf(uid).stream().anyMatch(session -> !before.contains(session)));
    }

    /** Pushes to {@code uid} and asserts that the raw client receives the message as one text frame. */
    static void assertReceivesPush(HeraldServer server, RawWebSocket client, String uid) {
        String line = message(uid, "push-" + System.nanoTime());
        assertThat(push(server, line)).isEqualTo("ok");
        RawWebSocket.Frame frame = client.readFrame();
        assertThat(frame).as("frame after a push").isNotNull();
        assertThat(frame.opcode()).isEqualTo(RawWebSocket.TEXT);
        assertThat(frame.fin()).isTrue();
        assertThat(frame.text()).isEqualTo(line);
    }

    /** A new well-behaved client binds and gets a push: whatever a bad client did left the server serving. */
    static void assertServesHealthyClient(HeraldServer server) {
        String uid = "healthy-" + HEALTHY.incrementAndGet();
        try (WebSocketRecorder healthy = bind(server, uid)) {
            String line = message(uid, "still served");
            assertThat(push(server, line)).isEqualTo("ok");
            assertThat(healthy.awaitMessage()).isEqualTo(line);
        }
    }

    /**
     * Reads the server's close frame, then everything up to the end of the TCP connection without
     * answering, and returns the close frame; fails if any frame follows it (one close frame per
     * connection, RFC 6455 §5.5.1) or if the connection ends without one.
     */
    static RawWebSocket.Frame awaitCloseThenEof(RawWebSocket client) {
        RawWebSocket.Frame close = client.awaitClose();
        List<RawWebSocket.Frame> after = new ArrayList<>();
        for (RawWebSocket.Frame frame = client.readFrame(); frame != null; frame = client.readFrame()) {
            after.add(frame);
        }
        assertThat(after)
                .as("frames after the close frame " + close.closeCode() + " " + close.closeReason())
                .isEmpty();
        return close;
    }

    /**
     * Reads the server's close frame, answers it as a client does (echoing its code), and asserts that
     * the server then ends the TCP connection without sending anything else. Returns the close frame.
     */
    static RawWebSocket.Frame completeServerClose(RawWebSocket client) {
        RawWebSocket.Frame close = client.awaitClose();
        client.sendClose(close.closeCode(), "");
        assertThat(client.readFrame())
                .as("after answering close " + close.closeCode())
                .isNull();
        return close;
    }

    /**
     * Runs one handshake, bind and push on a throwaway server, so that class loading and JIT warm-up
     * of the first connection in this JVM do not eat into the short timeouts of the test that follows.
     */
    static void warmUp() {
        HeraldServer server = TestServer.start();
        try (RawWebSocket client = bindRaw(server, "warm-up")) {
            assertReceivesPush(server, client, "warm-up");
            assertServesHealthyClient(server);
        } finally {
            server.stop();
        }
    }

    /** The {@code serverCloses} counter of the stats for a key such as {@code "4003 slow consumer"}. */
    static long serverCloses(HeraldServer server, String key) {
        Object closes = server.stats().get("serverCloses");
        assertThat(closes).isInstanceOf(Map.class);
        Object count = ((Map<?, ?>) closes).get(key);
        assertThat(count).as("serverCloses[" + key + "]").isInstanceOf(Long.class);
        return (Long) count;
    }
}
