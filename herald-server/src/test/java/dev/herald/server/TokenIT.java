package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.auth.AuthConfig;
import dev.herald.auth.TokenMinter;
import dev.herald.testkit.HeraldV1Client;
import dev.herald.testkit.HeraldV1Client.Position;
import dev.herald.testkit.TextPortClient;
import dev.herald.testkit.WebSocketRecorder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Connect tokens end to end on a real server: a seed page that sends a token instead of a uid, a
 * {@code herald.v1} hello with a token, refusals with their close codes while other clients keep
 * receiving, expiry and refresh, the token's groups and info, and streams a connection may not read.
 */
class TokenIT {

    private static final String SECRET = "test-secret-that-is-at-least-32-bytes";
    private static final ObjectMapper JSON = new ObjectMapper();

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
        List<String> flags = new ArrayList<>(List.of("auth.hmac-secret", SECRET));
        flags.addAll(List.of(keyValues));
        server = TestServer.start(flags.toArray(String[]::new));
        backend = TextPortClient.connect(server.textAddress());
    }

    private static String token(String uid, Duration ttl, List<String> groups, String info) {
        AuthConfig config = new AuthConfig(SECRET, null, null, null, "", "", Duration.ZERO, false, 8192);
        return TokenMinter.mint(config, uid, ttl, groups, info, Instant.now());
    }

    private static String token(String uid) {
        return token(uid, Duration.ofHours(1), List.of(), null);
    }

    private WebSocketRecorder seed(String first) {
        WebSocketRecorder client = WebSocketRecorder.bind(TestServer.ws(server), first);
        clients.add(client);
        return client;
    }

    private HeraldV1Client v1(Map<String, Position> positions) {
        HeraldV1Client client = HeraldV1Client.connect(TestServer.ws(server), positions);
        clients.add(client);
        return client;
    }

    private void awaitOnline(String uid) {
        await().until(() -> server.hub().isOnline(uid));
    }

    @Test
    void aSeedPageThatSendsATokenIsBoundToItsSub() {
        start();
        WebSocketRecorder page = seed(token("42"));
        awaitOnline("42");

        assertThat(backend.request("{\"uid\":\"42\",\"m\":1}"))
                .as("the seed's own line")
                .isEqualTo("ok");
        assertThat(page.awaitMessage()).isEqualTo("{\"uid\":\"42\",\"m\":1}");
    }

    @Test
    void withTokensOnABareUidIsClosedWith4504UnlessAllowed() {
        start();
        WebSocketRecorder bare = seed("42");
        assertThat(bare.awaitClose()).isEqualTo(new WebSocketRecorder.Close(4504, "a connect token is required"));
        HeraldV1Client hello = v1(Map.of());
        hello.send("{\"t\":\"hello\",\"uid\":\"42\"}");
        assertThat(hello.awaitClose().code()).isEqualTo(4504);
        server.stop();
        backend.close();

        start("auth.allow-bare-uid", "true");
        seed("43");
        awaitOnline("43");
        WebSocketRecorder withToken = seed(token("44"));
        awaitOnline("44");
        assertThat(backend.request("push {\"uids\":[\"43\",\"44\"],\"data\":\"x\"}"))
                .isEqualTo("{\"connections\":2,\"uids\":2}");
        assertThat(withToken.awaitMessage()).isEqualTo("x");
    }

    @Test
    void badTokensAreClosedWithTheirCodesWhileOtherClientsKeepReceiving() {
        start();
        WebSocketRecorder good = seed(token("ok"));
        awaitOnline("ok");
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String none = b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString("{\"sub\":\"evil\"}".getBytes(StandardCharsets.UTF_8)) + ".AAAA";
        String forged = token("evil").substring(0, token("evil").lastIndexOf('.') + 1) + "AAAA";
        String otherSecret = TokenMinter.mint(
                new AuthConfig(
                        "another-secret-that-is-at-least-32-bytes",
                        null,
                        null,
                        null,
                        "",
                        "",
                        Duration.ZERO,
                        false,
                        8192),
                "evil",
                Duration.ofHours(1),
                List.of(),
                null,
                Instant.now());
        String expired = TokenMinter.mint(
                new AuthConfig(SECRET, null, null, null, "", "", Duration.ZERO, false, 8192),
                "evil",
                Duration.ofSeconds(1),
                List.of(),
                null,
                Instant.now().minusSeconds(3600));
        String oversized = "eyJ" + "a".repeat(9000) + ".b.c";

        for (String bad : List.of(none, forged, otherSecret, oversized)) {
            WebSocketRecorder.Close close = seed(bad).awaitClose();
            assertThat(close.code()).as("token %s…", bad.substring(0, 20)).isEqualTo(4503);
            assertThat(backend.request("{\"uid\":\"ok\"}")).isEqualTo("ok");
            assertThat(good.awaitMessage()).isEqualTo("{\"uid\":\"ok\"}");
        }
        assertThat(seed(expired).awaitClose()).isEqualTo(new WebSocketRecorder.Close(4004, "token expired"));
        assertThat(server.hub().isOnline("evil")).isFalse();
        assertThat(server.stats()).containsKey("tokens");
        @SuppressWarnings("unchecked")
        Map<String, Object> tokens = (Map<String, Object>) server.stats().get("tokens");
        assertThat(tokens)
                .containsEntry("accepted", 1L)
                .containsEntry("invalid", 4L)
                .containsEntry("expired", 1L);
    }

    @Test
    void aConnectionIsClosedWith4004WhenItsTokenExpiresUnlessTheClientRefreshedIt() {
        start("auth.clock-skew", "0s");
        WebSocketRecorder seedPage = seed(token("s", Duration.ofSeconds(2), List.of(), null));
        HeraldV1Client refreshing = v1(Map.of());
        JsonNode welcome = refreshing.helloWithToken(token("r", Duration.ofSeconds(2), List.of(), null));
        assertThat(welcome.path("uid").asText()).isEqualTo("r");
        assertThat(welcome.path("exp").asLong()).isGreaterThan(Instant.now().getEpochSecond());

        refreshing.send("{\"t\":\"refresh\",\"token\":\"" + token("someone-else") + "\"}");
        JsonNode refused = refreshing.awaitJson();
        assertThat(refused.path("t").asText()).isEqualTo("error");
        assertThat(refused.path("code").asText()).isEqualTo("invalid_token");
        refreshing.send(
                "{\"t\":\"refresh\",\"token\":\"" + token("r", Duration.ofMinutes(10), List.of(), null) + "\"}");
        JsonNode refreshed = refreshing.awaitJson();
        assertThat(refreshed.path("t").asText()).isEqualTo("refreshed");
        assertThat(refreshed.path("exp").asLong())
                .isGreaterThan(Instant.now().plusSeconds(500).getEpochSecond());

        assertThat(seedPage.awaitClose()).isEqualTo(new WebSocketRecorder.Close(4004, "token expired"));
        assertThat(backend.request("push {\"uid\":\"r\",\"data\":\"still here\"}"))
                .as("the refreshed connection outlived its first token")
                .isEqualTo("{\"connections\":1,\"uids\":1}");
        assertThat(refreshing.awaitMsg().data()).isEqualTo("still here");
    }

    @Test
    void aTokensGroupsAreJoinedByTheConnectionOnlyAndItsInfoIsShownInConnectionQueries() throws Exception {
        start();
        WebSocketRecorder member = seed(token("m", Duration.ofHours(1), List.of("room-1"), "{\"name\":\"Mia\"}"));
        WebSocketRecorder other = seed(token("m")); // the same uid, without the group
        await().until(() -> server.hub().sessionsOf("m").size() == 2);

        assertThat(backend.request("push {\"group\":\"room-1\",\"data\":\"hi room\"}"))
                .isEqualTo("{\"connections\":1,\"uids\":1}");
        assertThat(member.awaitMessage()).isEqualTo("hi room");
        other.assertNoMoreMessages();
        assertThat(backend.request("members {\"group\":\"room-1\"}"))
                .as("the uid did not join: its connection is a member")
                .isEqualTo("{\"group\":\"room-1\",\"members\":[],\"next\":null}");
        backend.request("join {\"group\":\"room-1\",\"uids\":[\"m\"]}");
        assertThat(backend.request("push {\"group\":\"room-1\",\"data\":\"both\"}"))
                .as("once the uid joined, each connection gets it once")
                .isEqualTo("{\"connections\":2,\"uids\":1}");
        backend.request("leave {\"group\":\"room-1\",\"uids\":[\"m\"]}");

        JsonNode details = JSON.readTree(backend.request("connections {\"uid\":\"m\",\"details\":true}"));
        assertThat(details.path("connections")).hasSize(2);
        JsonNode first = details.path("details").get(0);
        assertThat(first.path("transport").asText()).isEqualTo("websocket");
        assertThat(first.path("remote").asText()).startsWith("127.0.0.1:");
        assertThat(first.path("token").path("groups").get(0).asText()).isEqualTo("room-1");
        assertThat(first.path("token").path("info").path("name").asText()).isEqualTo("Mia");
        assertThat(first.path("token").path("exp").asLong())
                .isGreaterThan(Instant.now().getEpochSecond());

        member.close();
        await().until(() -> backend.request("push {\"group\":\"room-1\",\"data\":\"gone\"}")
                .equals("{\"connections\":0,\"uids\":0}"));
        assertThat(backend.request("groups {}")).isEqualTo("{\"groups\":[],\"next\":null}");
    }

    @Test
    void aHelloGetsNothingOfStreamsItsConnectionMayNotRead() {
        start("history.uids", "all", "history.groups", "*");
        HeraldV1Client victim = v1(Map.of());
        victim.helloWithToken(token("victim", Duration.ofHours(1), List.of("secret-room"), null));
        backend.request("push {\"uid\":\"victim\",\"data\":\"private\"}");
        backend.request("push {\"group\":\"secret-room\",\"data\":\"room talk\"}");
        String epoch = victim.awaitMsg().epoch();
        String roomEpoch = victim.awaitMsg().epoch();

        HeraldV1Client snoop = v1(Map.of(
                "u:victim", new Position(epoch, 0),
                "g:secret-room", new Position(roomEpoch, 0),
                "*", new Position("x", 0)));
        JsonNode welcome = snoop.helloWithToken(token("snoop"));

        assertThat(welcome.path("denied"))
                .extracting(JsonNode::asText)
                .containsExactlyInAnyOrder("u:victim", "g:secret-room");
        assertThat(welcome.path("streams").has("u:victim")).isFalse();
        assertThat(welcome.path("streams").has("*"))
                .as("everyone's stream is readable")
                .isTrue();
        snoop.assertNoMoreMessages();
    }

    @Test
    void aHelloWithATokenOnAServerWithoutKeysIsRefused() {
        server = TestServer.start();
        backend = TextPortClient.connect(server.textAddress());
        HeraldV1Client client = v1(Map.of());
        client.sendHelloWithToken(token("x"));
        assertThat(client.awaitClose().code()).isEqualTo(4503);
        String token = token("y");
        seed(token);
        await("without keys a seed page's first message is its uid, as in the seed")
                .until(() -> server.hub().isOnline(token));
    }
}
