package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testkit.TextPortClient;
import dev.herald.testkit.WebSocketRecorder;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Backend keys end to end: {@code text.keys} (the {@code auth} line, its deadline, refusals), key scopes
 * on both adapters, and the refusal to open the Text port beyond loopback without keys.
 */
class BackendAuthIT {

    private static final String ALL = "all-scopes-key-0123456789";
    private static final String PUSH = "push-only-key-0123456789";
    private static final String ADMIN = "admin-only-key-0123456789";
    private static final String KEYS = ALL + "," + PUSH + ":push," + ADMIN + ":admin";

    private HeraldServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private HeraldServer start(String... keyValues) {
        server = TestServer.start(keyValues);
        return server;
    }

    private static JsonNode json(String text) throws Exception {
        return new ObjectMapper().readTree(text);
    }

    @Test
    void anAuthLineWithAKnownKeyOpensTheConnectionAsBefore() {
        start("text.keys", KEYS);
        try (WebSocketRecorder page = WebSocketRecorder.bind(TestServer.ws(server), "alice");
                TextPortClient php = TextPortClient.connect(server.textAddress())) {
            await().until(() -> server.hub().isOnline("alice"));
            // Pipelined: the auth line and the pushes in one write.
            php.write("auth " + ALL + "\n{\"uid\":\"alice\",\"n\":1}\n{\"uid\":\"bob\"}\n");
            assertThat(php.readLine()).isEqualTo("ok");
            assertThat(php.readLine()).isEqualTo("ok");
            assertThat(php.readLine()).isEqualTo("fail");
            assertThat(page.awaitMessage()).isEqualTo("{\"uid\":\"alice\",\"n\":1}");
            assertThat(php.request("count")).startsWith("{\"connections\":1");
        }
    }

    @Test
    void aConnectionWithoutTheAuthLineOrWithAnUnknownKeyIsRefusedAndClosed() throws Exception {
        start("text.keys", KEYS);
        try (TextPortClient seed = TextPortClient.connect(server.textAddress());
                TextPortClient wrong = TextPortClient.connect(server.textAddress());
                TextPortClient scoped = TextPortClient.connect(server.textAddress())) {
            seed.write("{\"uid\":\"alice\"}\n{\"uid\":\"alice\"}\n");
            assertThat(seed.readLine()).startsWith("error unauthorized ");
            assertThat(seed.readLine()).as("closed, the next line unanswered").isNull();

            assertThat(wrong.request("auth not-a-configured-key-42")).isEqualTo("error unauthorized unknown key");
            assertThat(wrong.readLine()).isNull();

            assertThat(scoped.request("auth " + PUSH + ":push"))
                    .as("the scope suffix is configuration, not part of the key")
                    .isEqualTo("error unauthorized unknown key");
        }
        JsonNode text = json(HttpCalls.get(server, null, "/stats").body()).path("text");
        assertThat(text.path("authFailures").asLong()).isEqualTo(3);
        assertThat(text.path("errors").path("unauthorized").asLong()).isEqualTo(3);
    }

    @Test
    void aConnectionThatSendsNoAuthLineWithinTheReadTimeoutIsRefused() {
        start("text.keys", KEYS, "text.read-timeout", "1s");
        try (TextPortClient idle = TextPortClient.connect(server.textAddress())) {
            long started = System.nanoTime();
            assertThat(idle.readLine()).isEqualTo("error unauthorized no auth line within 1 s");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
            assertThat(idle.readLine()).isNull();
        }
    }

    @Test
    void withoutKeysSeedLinesNeedNoAuthLine() {
        start();
        try (TextPortClient php = TextPortClient.connect(server.textAddress())) {
            assertThat(php.request("{\"uid\":\"alice\"}")).isEqualTo("fail");
            assertThat(php.request("auth " + ALL))
                    .as("without keys an auth line is just a line")
                    .startsWith("error invalid_json ");
        }
    }

    @Test
    void aTextPortKeyMayDoOnlyWhatItsScopesAllow() throws Exception {
        start("text.keys", KEYS);
        try (TextPortClient push = TextPortClient.connect(server.textAddress());
                TextPortClient admin = TextPortClient.connect(server.textAddress())) {
            assertThat(push.request("auth " + PUSH)).isEqualTo("ok");
            assertThat(push.request("{\"uid\":\"alice\"}")).isEqualTo("fail");
            assertThat(push.request("count")).startsWith("{\"connections\":");
            assertThat(json(push.request("stats")).path("error").path("code").asText())
                    .isEqualTo("forbidden");
            assertThat(json(push.request("kick {\"uid\":\"alice\"}"))
                            .path("error")
                            .path("code")
                            .asText())
                    .isEqualTo("forbidden");
            assertThat(push.request("{\"uid\":\"alice\"}")).as("still usable").isEqualTo("fail");

            assertThat(admin.request("auth " + ADMIN)).isEqualTo("ok");
            assertThat(admin.request("{\"uid\":\"alice\"}")).isEqualTo("error forbidden the key lacks the push scope");
            assertThat(json(admin.request("push {\"uid\":\"alice\",\"data\":1}"))
                            .path("error")
                            .path("code")
                            .asText())
                    .isEqualTo("forbidden");
            assertThat(json(admin.request("stats"))
                            .path("text")
                            .path("errors")
                            .path("forbidden")
                            .asLong())
                    .isEqualTo(4);
            assertThat(admin.request("kick {\"uid\":\"alice\"}")).isEqualTo("{\"closed\":0}");
        }
    }

    @Test
    void anApiKeyMayDoOnlyWhatItsScopesAllow() throws Exception {
        start("http.api-keys", KEYS);
        assertThat(HttpCalls.command(server, PUSH, "push", "{\"uid\":\"a\",\"data\":1}")
                        .status())
                .isEqualTo(200);
        assertThat(HttpCalls.command(server, PUSH, "count", "{}").status()).isEqualTo(200);
        HttpCalls.Response stats = HttpCalls.get(server, PUSH, "/stats");
        assertThat(stats.status()).isEqualTo(403);
        assertThat(json(stats.body()).path("error").path("code").asText()).isEqualTo("forbidden");
        assertThat(HttpCalls.command(server, PUSH, "kick", "{\"uid\":\"a\"}").status())
                .isEqualTo(403);
        assertThat(HttpCalls.post(server, PUSH, "/admin/reload").status()).isEqualTo(403);

        assertThat(HttpCalls.command(server, ADMIN, "push", "{\"uid\":\"a\",\"data\":1}")
                        .status())
                .isEqualTo(403);
        assertThat(HttpCalls.command(server, ADMIN, "kick", "{\"uid\":\"a\"}").status())
                .isEqualTo(200);
        assertThat(HttpCalls.get(server, ADMIN, "/stats").status()).isEqualTo(200);

        assertThat(HttpCalls.command(server, ALL, "push", "{\"uid\":\"a\",\"data\":1}")
                        .status())
                .isEqualTo(200);
        assertThat(HttpCalls.get(server, ALL, "/stats").status()).isEqualTo(200);
        assertThat(HttpCalls.get(server, "unknown-key-0123456789", "/stats").status())
                .isEqualTo(401);
        for (String open : new String[] {"/healthz", "/readyz", "/metrics"}) {
            assertThat(HttpCalls.get(server, null, open).status()).as(open).isEqualTo(200);
        }
    }

    @Test
    void aTextPortBeyondLoopbackNeedsKeysOrTextInsecure() {
        assertThatThrownBy(() -> start("text.host", "0.0.0.0"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("text.host: '0.0.0.0' is not a loopback address, and text.keys is empty");
        start("text.host", "0.0.0.0", "text.keys", ALL);
        server.stop();
        server = null;
        start("text.host", "0.0.0.0", "text.insecure", "true");
        NonLoopback.address().ifPresent(address -> {
            try (TextPortClient php = TextPortClient.connect(
                    new java.net.InetSocketAddress(address, server.textAddress().getPort()))) {
                assertThat(php.request("{\"uid\":\"alice\"}")).isEqualTo("fail");
            }
        });
    }
}
