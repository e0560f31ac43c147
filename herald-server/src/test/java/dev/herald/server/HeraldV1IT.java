package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.testkit.HeraldV1Client;
import dev.herald.testkit.HeraldV1Client.Msg;
import dev.herald.testkit.HeraldV1Client.Position;
import dev.herald.testkit.TextPortClient;
import dev.herald.testkit.WebSocketRecorder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code herald.v1} client protocol over real sockets (docs/protocol.md §4): the subprotocol is
 * negotiated, a hello binds and answers each stream, messages carry positions with an unbroken chain of
 * previous offsets, and a client that comes back with its positions gets what it missed (recovered),
 * the exact range it cannot get (gap) or a new epoch (reset), never a silent jump.
 */
class HeraldV1IT {

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
        server.stop();
    }

    private void start(String... keyValues) {
        server = TestServer.start(keyValues);
        backend = TextPortClient.connect(server.textAddress());
    }

    private HeraldV1Client connect() {
        return connect(Map.of());
    }

    private HeraldV1Client connect(Map<String, Position> positions) {
        HeraldV1Client client = HeraldV1Client.connect(TestServer.ws(server), positions);
        clients.add(client);
        return client;
    }

    private String seedPush(String uid, int n) {
        return backend.request("{\"uid\":\"" + uid + "\",\"n\":" + n + "}");
    }

    private static String line(String uid, int n) {
        return "{\"uid\":\"" + uid + "\",\"n\":" + n + "}";
    }

    @Test
    void aHelloIsWelcomedAndPushesArriveWithTheirPositions() {
        start();
        HeraldV1Client client = connect();
        JsonNode welcome = client.hello("alice");
        assertThat(welcome.path("uid").asText()).isEqualTo("alice");
        assertThat(welcome.path("conn").asText()).isNotEmpty();
        assertThat(welcome.path("ping").asLong()).isEqualTo(25);
        JsonNode own = welcome.path("streams").path("u:alice");
        assertThat(own.path("r").asText()).isEqualTo("new");
        String epoch = own.path("e").asText();
        assertThat(epoch).as("the uid's stream exists from its first hello on").isNotEmpty();
        assertThat(own.path("o").asLong()).isZero();

        assertThat(seedPush("alice", 1)).isEqualTo("ok");
        assertThat(seedPush("alice", 2)).isEqualTo("ok");
        Msg first = client.awaitMsg();
        Msg second = client.awaitMsg();
        assertThat(first.stream()).isEqualTo("u:alice");
        assertThat(first.offset()).isEqualTo(1);
        assertThat(first.previous()).isZero();
        assertThat(first.data()).as("the seed line, byte for byte").isEqualTo(line("alice", 1));
        assertThat(second.offset()).isEqualTo(2);
        assertThat(second.previous()).isEqualTo(1);
        assertThat(second.epoch()).isEqualTo(first.epoch()).isEqualTo(epoch);
    }

    @Test
    void aSeedClientAndAHeraldV1ClientOfOneUidBothGetThePush() {
        start();
        WebSocketRecorder seed = WebSocketRecorder.bind(TestServer.ws(server), "bob");
        clients.add(seed);
        HeraldV1Client positioned = connect();
        positioned.hello("bob");
        await().until(() -> server.hub().sessionsOf("bob").size() == 2);

        assertThat(backend.request("push {\"uid\":\"bob\",\"data\":\"tab \\\"one\\\"\\nline two\"}"))
                .isEqualTo("{\"connections\":2,\"uids\":1}");
        assertThat(seed.awaitMessage()).isEqualTo("tab \"one\"\nline two");
        assertThat(positioned.awaitMsg().data()).isEqualTo("tab \"one\"\nline two");
    }

    @Test
    void aClientThatComesBackGetsWhatItMissedThenLiveMessages() {
        start();
        HeraldV1Client first = connect();
        first.hello("carol");
        seedPush("carol", 1);
        seedPush("carol", 2);
        first.awaitMsgs(2);
        Map<String, Position> held = first.positions();
        first.close();
        await().until(() -> !server.hub().isOnline("carol"));

        assertThat(seedPush("carol", 3)).as("offline: the seed's reply").isEqualTo("fail");
        seedPush("carol", 4);
        seedPush("carol", 5);

        HeraldV1Client again = connect(held);
        JsonNode welcome = again.hello("carol");
        JsonNode answer = welcome.path("streams").path("u:carol");
        assertThat(answer.path("r").asText()).isEqualTo("recovered");
        assertThat(answer.path("o").asLong()).isEqualTo(2);
        assertThat(answer.path("top").asLong()).isEqualTo(5);
        assertThat(again.awaitMsgs(3))
                .extracting(Msg::offset, Msg::data)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(3L, line("carol", 3)),
                        org.assertj.core.groups.Tuple.tuple(4L, line("carol", 4)),
                        org.assertj.core.groups.Tuple.tuple(5L, line("carol", 5)));
        seedPush("carol", 6);
        assertThat(again.awaitMsg().offset()).isEqualTo(6);
        again.assertNoMoreMessages();
    }

    @Test
    void aClientThatMissedMoreThanHistoryKeepsIsToldTheExactGap() {
        start("history.size", "3");
        HeraldV1Client first = connect();
        first.hello("dan");
        seedPush("dan", 1);
        first.awaitMsg();
        Map<String, Position> held = first.positions();
        first.close();
        await().until(() -> !server.hub().isOnline("dan"));
        for (int n = 2; n <= 7; n++) {
            seedPush("dan", n);
        }

        HeraldV1Client again = connect(held);
        JsonNode answer = again.hello("dan").path("streams").path("u:dan");
        assertThat(answer.path("r").asText()).isEqualTo("gap");
        assertThat(answer.path("missed").toString()).isEqualTo("[[2,4]]");
        assertThat(answer.path("o").asLong())
                .as("the client's position goes on")
                .isEqualTo(1);
        assertThat(again.awaitMsgs(3)).extracting(Msg::offset).containsExactly(5L, 6L, 7L);
    }

    @Test
    void aPositionFromAnotherEpochIsAResetAndWhatIsKeptFollows() {
        start("history.uids", "all"); // kept before any client of the uid said hello
        seedPush("erin", 1);
        seedPush("erin", 2);
        HeraldV1Client client = connect(Map.of("u:erin", new Position("lost-epoch", 40)));
        JsonNode answer = client.hello("erin").path("streams").path("u:erin");
        assertThat(answer.path("r").asText()).isEqualTo("reset");
        assertThat(answer.path("e").asText()).isNotEqualTo("lost-epoch");
        assertThat(answer.path("o").asLong()).isZero();
        assertThat(client.awaitMsgs(2)).extracting(Msg::offset).containsExactly(1L, 2L);
    }

    @Test
    void aGroupStreamThatKeepsHistoryIsResumedToo() {
        start("history.groups", "room-*");
        backend.request("join {\"group\":\"room-1\",\"uids\":[\"fay\"]}");
        HeraldV1Client first = connect();
        first.hello("fay");
        backend.request("push {\"group\":\"room-1\",\"data\":\"g1\"}");
        Msg msg = first.awaitMsg();
        assertThat(msg.stream()).isEqualTo("g:room-1");
        Map<String, Position> held = first.positions();
        first.close();
        await().until(() -> !server.hub().isOnline("fay"));
        backend.request("push {\"group\":\"room-1\",\"data\":\"g2\"}");

        HeraldV1Client again = connect(held);
        JsonNode streams = again.hello("fay").path("streams");
        assertThat(streams.path("g:room-1").path("r").asText()).isEqualTo("recovered");
        assertThat(again.awaitMsg().data()).isEqualTo("g2");
    }

    @Test
    void resumesRacingLivePushesMissNothingAndRepeatNothing() throws Exception {
        start("history.size", "10000", "history.max-replay", "10000");
        int total = 3000;
        AtomicBoolean done = new AtomicBoolean();
        Thread pusher = new Thread(() -> {
            try (TextPortClient own = TextPortClient.connect(server.textAddress())) {
                for (int n = 1; n <= total; n++) {
                    own.request(line("gus", n));
                }
            } finally {
                done.set(true);
            }
        });
        List<Long> received = new ArrayList<>();
        HeraldV1Client client = connect();
        client.hello("gus"); // before the first push: a new client is not sent history
        pusher.start();
        int connections = 1;
        while (true) {
            // Take a few, then drop the connection in the middle of the stream and come back.
            int take = done.get() ? Integer.MAX_VALUE : 50 + connections * 37 % 200;
            for (int i = 0; i < take && (received.isEmpty() || received.get(received.size() - 1) < total); i++) {
                received.add(client.awaitMsg().offset());
            }
            if (received.get(received.size() - 1) == total) {
                break;
            }
            Map<String, Position> held = client.positions();
            client.close();
            client = connect(held);
            String answer =
                    client.hello("gus").path("streams").path("u:gus").path("r").asText();
            assertThat(answer).as("answer on connection %d", connections).isEqualTo("recovered");
            connections++;
        }
        pusher.join(30_000);
        assertThat(connections).isGreaterThan(1);
        assertThat(received).hasSize(total);
        for (int i = 0; i < total; i++) {
            assertThat(received.get(i)).as("message %d", i).isEqualTo(i + 1L);
        }
    }

    @Test
    void byDefaultAUidStreamKeepsHistoryOnlyOnceAHeraldV1ClientOfTheUidSaidHello() {
        start();
        seedPush("una", 1); // a seed-only uid so far: nothing kept
        HeraldV1Client first = connect();
        first.hello("una");
        first.close();
        await().until(() -> !server.hub().isOnline("una"));
        seedPush("una", 2);

        HeraldV1Client again = connect(
                Map.of("u:una", new Position(first.positions().get("u:una").epoch(), 0)));
        JsonNode answer = again.hello("una").path("streams").path("u:una");
        assertThat(answer.path("r").asText()).isEqualTo("gap");
        assertThat(answer.path("missed").toString())
                .as("from before the first hello")
                .isEqualTo("[[1,1]]");
        assertThat(again.awaitMsg().data()).isEqualTo(line("una", 2));
    }

    @Test
    void aFirstMessageThatIsNotAHelloClosesWith4502() {
        start();
        HeraldV1Client client = connect();
        client.send("{\"t\":\"ack\",\"streams\":{\"u:x\":1}}");
        assertThat(client.awaitClose()).isEqualTo(new HeraldV1Client.Close(4502, "the first message must be a hello"));
    }

    @Test
    void textThatIsNotJsonClosesWith4502() {
        start();
        HeraldV1Client client = connect();
        client.send("alice");
        HeraldV1Client.Close close = client.awaitClose();
        assertThat(close.code()).isEqualTo(4502);
        assertThat(close.reason()).startsWith("not JSON");
    }

    @Test
    void anInvalidUidInAHelloClosesWith4500() {
        start();
        HeraldV1Client client = connect();
        client.send("{\"t\":\"hello\",\"uid\":\"\"}");
        assertThat(client.awaitClose().code()).isEqualTo(4500);
    }

    @Test
    void aHelloWithABrokenPositionClosesWith4502() {
        start();
        HeraldV1Client client = connect();
        client.send("{\"t\":\"hello\",\"uid\":\"a\",\"streams\":{\"u:a\":{\"e\":\"x\",\"o\":-1}}}");
        HeraldV1Client.Close close = client.awaitClose();
        assertThat(close.code()).isEqualTo(4502);
        assertThat(close.reason()).contains("position");
    }

    @Test
    void anUnknownMessageTypeAfterTheHelloIsAnsweredAndTheConnectionStays() {
        start();
        HeraldV1Client client = connect();
        client.hello("hal");
        client.send("{\"t\":\"subscribe\",\"stream\":\"g:x\"}");
        JsonNode error = client.awaitJson();
        assertThat(error.path("t").asText()).isEqualTo("error");
        assertThat(error.path("code").asText()).isEqualTo("invalid_message");
        client.send("{\"t\":\"hello\",\"uid\":\"hal\"}");
        assertThat(client.awaitJson().path("code").asText()).isEqualTo("hello_twice");
        client.ack("u:hal", 0);
        seedPush("hal", 1);
        assertThat(client.awaitMsg().offset()).isEqualTo(1);
        // The ack and the push come on different connections, so the push may be delivered first.
        await().until(() -> server.stats().get("heraldV1").toString().contains("acks=1"));
    }

    @Test
    void silentClientsGetAJsonPingAndAreClosedWhenTheyDoNotAnswer() {
        start("websocket.ping-interval", "200ms", "websocket.pong-timeout", "300ms");
        HeraldV1Client client = connect();
        client.hello("ivy");
        client.awaitPing();
        assertThat(client.awaitClose().code()).isEqualTo(4002);
    }

    @Test
    void aClientThatAnswersPingsStaysConnected() {
        start("websocket.ping-interval", "200ms", "websocket.pong-timeout", "300ms");
        HeraldV1Client client = connect();
        client.hello("jay");
        long until = System.nanoTime() + 1_500_000_000L;
        await().atMost(java.time.Duration.ofSeconds(5)).until(() -> System.nanoTime() > until);
        seedPush("jay", 1);
        assertThat(client.awaitMsg().offset())
                .as("still connected after several pings")
                .isEqualTo(1);
    }

    @Test
    void withoutAHelloTheBindTimeoutCloses() {
        start("websocket.bind-timeout", "300ms");
        HeraldV1Client client = connect();
        assertThat(client.awaitClose().code()).isEqualTo(4001);
    }
}
