package dev.herald.server;

import static dev.herald.server.WebSocketTestSupport.message;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testkit.RawWebSocket;
import dev.herald.testkit.TextPortClient;
import dev.herald.testkit.WebSocketRecorder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /admin/reload} on a server started from a config file: the live keys change without
 * dropping a connection, the others wait for a restart, and an invalid file changes nothing.
 */
class ReloadIT {

    private static final String OLD_KEY = "old-key-0123456789abcdef";
    private static final String NEW_KEY = "new-key-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What every file of this test holds: loopback, free ports, a short drain (dotted keys are YAML paths). */
    private static final String LISTENERS = """
            websocket.host: 127.0.0.1
            websocket.port: 0
            text.port: 0
            http.port: 0
            server.shutdown-timeout: 3s
            """;

    @TempDir
    Path dir;

    private Path file;
    private HeraldServer server;
    private final List<LogConfig> logChanges = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private void start(String yaml) throws IOException {
        file = dir.resolve("herald.yml");
        write(yaml);
        server = HeraldServer.start(new ConfigSource(Path.of("target"), file, Map.of(), Map.of()), logChanges::add);
    }

    private void write(String yaml) throws IOException {
        Files.writeString(file, LISTENERS + yaml);
    }

    private JsonNode reload(String key, int status) throws IOException {
        HttpCalls.Response response = HttpCalls.post(server, key, "/admin/reload");
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        return JSON.readTree(response.body());
    }

    private static List<String> strings(JsonNode array) {
        return JSON.convertValue(array, JSON.getTypeFactory().constructCollectionType(List.class, String.class));
    }

    @Test
    void reloadAppliesKeysAndLimitsWithoutDroppingConnections() throws IOException {
        start("""
                http.api-keys: [%s]
                api.max-batch: 10
                websocket.max-uid-bytes: 64
                """.formatted(OLD_KEY));
        try (WebSocketRecorder keeper = WebSocketRecorder.bind(TestServer.ws(server), "keeper");
                TextPortClient backend = TextPortClient.connect(server.textAddress())) {
            Awaitility.await().until(() -> server.hub().isOnline("keeper"));
            write("""
                    http.api-keys: [%s]
                    api.max-batch: 2
                    websocket.max-uid-bytes: 8
                    websocket.compression: true
                    log.level: debug
                    """.formatted(NEW_KEY));

            JsonNode report = reload(OLD_KEY, 200);

            assertThat(strings(report.path("applied")))
                    .containsExactly("websocket.max-uid-bytes", "http.api-keys", "api.max-batch", "log.level");
            assertThat(strings(report.path("restartRequired"))).containsExactly("websocket.compression");
            assertThat(logChanges).singleElement().extracting(LogConfig::level).isEqualTo("debug");

            // Open connections stay open and keep receiving: a backend connection from before the reload,
            // and HTTP with the new key.
            String line = message("keeper", "after the reload");
            assertThat(backend.request(line)).isEqualTo("ok");
            assertThat(keeper.awaitMessage()).isEqualTo(line);
            HttpCalls.Response pushed =
                    HttpCalls.command(server, NEW_KEY, "push", "{\"uid\":\"keeper\",\"data\":\"new key\"}");
            assertThat(pushed.status()).isEqualTo(200);
            assertThat(keeper.awaitMessage()).isEqualTo("new key");

            // The old key is refused everywhere.
            assertThat(HttpCalls.command(server, OLD_KEY, "push", "{\"uid\":\"keeper\",\"data\":1}")
                            .status())
                    .isEqualTo(401);
            assertThat(HttpCalls.get(server, OLD_KEY, "/stats").status()).isEqualTo(401);
            assertThat(HttpCalls.get(server, NEW_KEY, "/stats").status()).isEqualTo(200);

            // The new limits apply: a batch of three, and a uid of nine bytes on a new connection.
            HttpCalls.Response batch = HttpCalls.command(
                    server,
                    NEW_KEY,
                    "push",
                    "[{\"uid\":\"a\",\"data\":1},{\"uid\":\"b\",\"data\":2},{\"uid\":\"c\",\"data\":3}]");
            assertThat(batch.status()).isEqualTo(400);
            assertThat(batch.body()).contains("\"too_many\"");
            try (RawWebSocket late = RawWebSocket.connect(server.websocketAddress())) {
                late.sendText("nine-char");
                RawWebSocket.Frame close = late.awaitClose();
                assertThat(close.closeCode()).isEqualTo(4500);
                assertThat(close.closeReason()).isEqualTo("uid longer than 8 bytes");
            }

            // A key that needs a restart keeps its startup value.
            assertThat(server.config().websocket().compression()).isFalse();
            assertThat(server.config().api().maxBatch()).isEqualTo(2);
            keeper.assertNoMoreMessages();
            Awaitility.await().until(() -> server.hub().connectionCount() == 1);
            assertThat(server.hub().isOnline("keeper")).isTrue();
        }
    }

    @Test
    void anInvalidConfigurationIsRefusedAndNothingChanges() throws IOException {
        start("http.api-keys: [%s]\nwebsocket.max-uid-bytes: 64\n".formatted(OLD_KEY));
        try (WebSocketRecorder keeper = WebSocketRecorder.bind(TestServer.ws(server), "keeper")) {
            Awaitility.await().until(() -> server.hub().isOnline("keeper"));
            ServerConfig before = server.config();
            write("http.api-keys: [%s]\nwebsocket.max-uid-bytes: -1\nlog.level: debug\n".formatted(NEW_KEY));

            JsonNode refused = reload(OLD_KEY, 400);

            assertThat(refused.path("error").path("code").asText()).isEqualTo("invalid_config");
            assertThat(refused.path("error").path("message").asText()).contains("websocket.max-uid-bytes");
            assertThat(server.config()).isSameAs(before);
            assertThat(logChanges).isEmpty();
            assertThat(HttpCalls.get(server, NEW_KEY, "/stats").status()).isEqualTo(401);
            HttpCalls.Response pushed =
                    HttpCalls.command(server, OLD_KEY, "push", "{\"uid\":\"keeper\",\"data\":\"still here\"}");
            assertThat(pushed.status()).isEqualTo(200);
            assertThat(keeper.awaitMessage()).isEqualTo("still here");

            write("http.api-keys: [%s\n".formatted(NEW_KEY));
            assertThat(reload(OLD_KEY, 400).path("error").path("message").asText())
                    .contains("not valid YAML");
            assertThat(server.config()).isSameAs(before);
        }
    }

    @Test
    void reloadNeedsAnApiKeyWhenKeysAreConfigured() throws IOException {
        start("http.api-keys: [%s]\n".formatted(OLD_KEY));
        write("http.api-keys: [%s]\n".formatted(NEW_KEY));

        assertThat(reload(null, 401).path("error").path("code").asText()).isEqualTo("unauthorized");
        assertThat(reload(NEW_KEY, 401).path("error").path("code").asText()).isEqualTo("unauthorized");
        assertThat(server.config().http().apiKeys()).containsExactly(OLD_KEY);
    }

    @Test
    void reloadedTimeoutsApplyToConnectionsAlreadyOpen() throws IOException {
        start("websocket.ping-interval: 25s\nwebsocket.pong-timeout: 10s\n");
        try (RawWebSocket silent = RawWebSocket.connect(server.websocketAddress())) {
            silent.sendText("silent");
            Awaitility.await().until(() -> server.hub().isOnline("silent"));
            write("websocket.ping-interval: 200ms\nwebsocket.pong-timeout: 300ms\n");

            assertThat(strings(reload(null, 200).path("applied")))
                    .containsExactly("websocket.ping-interval", "websocket.pong-timeout");

            RawWebSocket.Frame ping = silent.readFrame();
            assertThat(ping.opcode()).as("a ping within the new interval").isEqualTo(RawWebSocket.PING);
            assertThat(silent.awaitClose().closeCode())
                    .as("no pong within the new timeout")
                    .isEqualTo(4002);
        }
    }

    @Test
    void reloadedTextKeysApplyToNewConnectionsAndThePushRateToOpenOnes() throws IOException {
        start("text.max-pushes-per-second: 0\n");
        try (TextPortClient open = TextPortClient.connect(server.textAddress())) {
            assertThat(open.request("{\"uid\":\"a\"}")).isEqualTo("fail");
            write("text.keys: [reloaded-text-key-0123456789:push]\ntext.max-pushes-per-second: 1\n");

            assertThat(strings(reload(null, 200).path("applied")))
                    .containsExactlyInAnyOrder("text.keys", "text.max-pushes-per-second");

            open.write("{\"uid\":\"a\"}\n{\"uid\":\"a\"}\n");
            assertThat(open.readLine())
                    .as("an open connection keeps working without auth")
                    .isEqualTo("fail");
            assertThat(open.readLine()).as("but has the new push rate").startsWith("error rate_limited ");
            try (TextPortClient fresh = TextPortClient.connect(server.textAddress())) {
                assertThat(fresh.request("{\"uid\":\"a\"}")).startsWith("error unauthorized ");
            }
            try (TextPortClient keyed = TextPortClient.connect(server.textAddress())) {
                assertThat(keyed.request("auth reloaded-text-key-0123456789")).isEqualTo("ok");
                assertThat(keyed.request("{\"uid\":\"a\"}")).isEqualTo("fail");
            }
        }
    }

    @Test
    void aReloadWithoutChangesChangesNothing() throws IOException {
        start("log.level: warn\n");
        ServerConfig before = server.config();

        JsonNode report = reload(null, 200);

        assertThat(strings(report.path("changed"))).isEmpty();
        assertThat(strings(report.path("applied"))).isEmpty();
        assertThat(strings(report.path("restartRequired"))).isEmpty();
        assertThat(server.config()).isEqualTo(before);
        assertThat(logChanges).isEmpty();
    }

    @Test
    void aServerGivenAFixedConfigurationHasNothingToRead() throws IOException {
        file = dir.resolve("herald.yml");
        write("");
        server = HeraldServer.start(new ConfigSource(Path.of("target"), file, Map.of(), Map.of()).load());
        JsonNode refused = reload(null, 400);
        assertThat(refused.path("error").path("code").asText()).isEqualTo("invalid_config");
        assertThat(refused.path("error").path("message").asText()).contains("fixed configuration");
    }
}
