package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testkit.HeraldV1Client;
import dev.herald.testkit.RawHttpClient;
import dev.herald.testkit.RawWebSocket;
import dev.herald.testkit.TextPortClient;
import dev.herald.testkit.WebSocketRecorder;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Limits on client connections and admission control, on a real server: caps per uid, per address and
 * for the node, the message rate of one connection, the handshake rate and the handshakes in flight.
 * Each refusal has its documented answer, and the clients already connected keep receiving.
 */
class ClientLimitsIT {

    private HeraldServer server;
    private TextPortClient backend;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
        if (backend != null) {
            backend.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    private void start(String... keyValues) {
        server = TestServer.start(keyValues);
        backend = TextPortClient.connect(server.textAddress());
    }

    private WebSocketRecorder bind(String uid) {
        WebSocketRecorder client = WebSocketRecorder.bind(TestServer.ws(server), uid);
        clients.add(client);
        return client;
    }

    /** A handshake from a given source address; the connection stays open (and is closed after the test). */
    private RawHttpClient.Response handshake(String fromAddress, String extraHeaders) {
        RawHttpClient client = RawHttpClient.connect(
                new InetSocketAddress("127.0.0.1", server.websocketAddress().getPort()),
                new InetSocketAddress(fromAddress, 0));
        clients.add(client);
        client.write("GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + RawWebSocket.newKey() + "\r\nSec-WebSocket-Version: 13\r\n"
                + extraHeaders + "\r\n");
        return client.readHead();
    }

    @Test
    void aUidPastItsConnectionCapIsRefusedTheNewestWith4505() {
        start("websocket.max-connections-per-uid", "2");
        WebSocketRecorder first = bind("a");
        WebSocketRecorder second = bind("a");
        await().until(() -> server.hub().sessionsOf("a").size() == 2);

        WebSocketRecorder third = bind("a");

        assertThat(third.awaitClose())
                .isEqualTo(new WebSocketRecorder.Close(4505, "more than 2 connections for this uid"));
        assertThat(backend.request("{\"uid\":\"a\"}")).isEqualTo("ok");
        assertThat(first.awaitMessage()).isEqualTo("{\"uid\":\"a\"}");
        assertThat(second.awaitMessage()).isEqualTo("{\"uid\":\"a\"}");
        assertThat(server.hub().sessionsOf("a")).hasSize(2);
        assertThat(bind("b").socket()).as("other uids are not affected").isNotNull();
        await().until(() -> server.hub().isOnline("b"));
    }

    @Test
    void anAddressPastItsConnectionCapGets429WithRetryAfter() {
        start("websocket.max-connections-per-ip", "2");
        assertThat(handshake("127.0.0.2", "").status()).isEqualTo(101);
        assertThat(handshake("127.0.0.2", "").status()).isEqualTo(101);

        RawHttpClient.Response refused = handshake("127.0.0.2", "");

        assertThat(refused.status()).isEqualTo(429);
        assertThat(Integer.parseInt(refused.header("retry-after"))).isBetween(10, 20);
        assertThat(handshake("127.0.0.3", "").status()).as("another address").isEqualTo(101);
        assertThat(server.stats().get("handshakesRefused")).asString().contains("per_ip=1");
    }

    @Test
    void aFullNodeGets503AndAHeraldV1ClientIsToldWhenToComeBack() throws Exception {
        start("websocket.max-connections", "2");
        WebSocketRecorder kept = bind("kept");
        bind("other");
        await().until(() -> server.hub().connectionCount() == 2);

        RawHttpClient.Response refused = handshake("127.0.0.1", "");
        assertThat(refused.status()).isEqualTo(503);
        assertThat(Integer.parseInt(refused.header("retry-after"))).isBetween(5, 10);

        CompletableFuture<String> closed = new CompletableFuture<>();
        HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .subprotocols("herald.v1")
                .buildAsync(TestServer.ws(server), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                        closed.complete(statusCode + " " + reason);
                        return null;
                    }
                })
                .join();
        assertThat(closed.get(10, java.util.concurrent.TimeUnit.SECONDS)).matches("1013 retry after \\d+ s");
        assertThat(server.hub().connectionCount())
                .as("nothing was set up for it")
                .isEqualTo(2);

        assertThat(backend.request("{\"uid\":\"kept\"}")).isEqualTo("ok");
        assertThat(kept.awaitMessage()).isEqualTo("{\"uid\":\"kept\"}");
    }

    @Test
    void handshakesPastTheRateGet503WithASpreadRetryAfter() {
        start("websocket.max-handshakes-per-second", "5");
        WebSocketRecorder kept = bind("kept");
        List<Integer> statuses = new ArrayList<>();
        List<Integer> retries = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            RawHttpClient.Response response = handshake("127.0.0.4", "");
            statuses.add(response.status());
            if (response.status() == 503) {
                retries.add(Integer.parseInt(response.header("retry-after")));
            }
        }

        assertThat(statuses).contains(101, 503);
        assertThat(statuses.stream().filter(status -> status == 101).count())
                .as("a bucket of one second's worth, then about 5 per second")
                .isBetween(4L, 12L);
        assertThat(retries).allSatisfy(retry -> assertThat(retry).isBetween(1, 60));
        assertThat(retries.get(retries.size() - 1))
                .as("the later a client is refused, the later it is told to come back")
                .isGreaterThanOrEqualTo(retries.get(0));
        assertThat(backend.request("{\"uid\":\"kept\"}")).isEqualTo("ok");
        assertThat(kept.awaitMessage()).isEqualTo("{\"uid\":\"kept\"}");
    }

    @Test
    void handshakesPastTheCapInFlightGet503UntilTheAdmittedOnesBind() {
        start("websocket.max-handshakes-in-flight", "2");
        WebSocketRecorder kept = bind("kept");
        await().until(() -> server.hub().isOnline("kept"));
        HeraldV1Client silent1 = HeraldV1Client.connect(TestServer.ws(server));
        HeraldV1Client silent2 = HeraldV1Client.connect(TestServer.ws(server));
        clients.add(silent1);
        clients.add(silent2);
        await().until(() -> server.stats().get("handshakesInFlight").equals(2));

        RawHttpClient.Response refused = handshake("127.0.0.1", "");
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.header("retry-after")).isNotNull();
        assertThat(backend.request("{\"uid\":\"kept\"}")).isEqualTo("ok");
        assertThat(kept.awaitMessage()).isEqualTo("{\"uid\":\"kept\"}");

        silent1.hello("one");
        silent2.close();
        await().until(() -> server.stats().get("handshakesInFlight").equals(0));
        assertThat(handshake("127.0.0.1", "").status()).isEqualTo(101);
    }

    @Test
    void aClientThatSendsTooManyMessagesIsClosedWith4506() {
        start("websocket.max-messages-per-second", "20");
        WebSocketRecorder kept = bind("kept");
        RawWebSocket flood = RawWebSocket.connect(server.websocketAddress());
        clients.add(flood);
        flood.sendText("flooder");
        for (int i = 0; i < 50; i++) {
            flood.sendText("m" + i);
        }

        RawWebSocket.Frame close = flood.awaitClose();
        assertThat(close.closeCode()).isEqualTo(4506);
        assertThat(close.closeReason()).isEqualTo("more than 20 messages per second");
        assertThat(backend.request("{\"uid\":\"kept\"}")).isEqualTo("ok");
        assertThat(kept.awaitMessage()).isEqualTo("{\"uid\":\"kept\"}");
    }

    @Test
    void aJoinThatWouldPassTheGroupsPerUidLimitIsRefusedWhole() {
        start("api.max-groups-per-uid", "2", "websocket.client-groups", "true");
        assertThat(backend.request("join {\"group\":\"g1\",\"uids\":[\"a\",\"b\"]}"))
                .contains("\"added\":2");
        assertThat(backend.request("join {\"group\":\"g2\",\"uids\":[\"a\"]}")).contains("\"added\":1");

        assertThat(backend.request("join {\"group\":\"g3\",\"uids\":[\"b\",\"a\"]}"))
                .startsWith("{\"error\":{\"code\":\"too_many_groups\"")
                .contains("uid a is in 2 groups already");
        assertThat(server.hub().isMember("g3", "b")).as("none joined").isFalse();
        HttpCalls.Response http = HttpCalls.command(server, null, "join", "{\"group\":\"g4\",\"uids\":[\"a\"]}");
        assertThat(http.status()).isEqualTo(409);
        assertThat(http.body()).contains("too_many_groups");

        WebSocketRecorder client = bind("a");
        await().until(() -> server.hub().sessionsOf("a").size() == 1);
        client.send("join g5");
        assertThat(client.awaitMessage()).contains("too_many_groups");
        assertThat(server.hub().isMember("g5", "a")).isFalse();
        assertThat(server.stats().get("groupJoinsRefused")).isEqualTo(3L);
        assertThat(backend.request("leave {\"group\":\"g1\",\"uids\":[\"a\"]}")).contains("\"removed\":1");
        client.send("join g5");
        await().until(() -> server.hub().isMember("g5", "a"));
    }
}
