package dev.herald.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testkit.TestCertificate;
import dev.herald.testkit.TextPortClient;
import dev.herald.testkit.WebSocketRecorder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code herald reload} against a real daemon started from a config file: a key rotation in two steps,
 * the log switched to DEBUG and JSON, a key that needs a restart, a broken file; clients stay connected
 * throughout.
 */
class ReloadCommandIT {

    private static final String OLD_KEY = "old-key-0123456789abcdef";
    private static final String NEW_KEY = "new-key-0123456789abcdef";

    @TempDir
    Path home;

    private HeraldProcess herald;
    private Path config;

    @AfterEach
    void stop() {
        if (herald != null && Files.exists(herald.pidFile())) {
            write(""); // a test may leave a broken file behind, which stop would refuse to read
            HeraldProcess.Result stopped = herald.run("stop", "--config=" + config);
            assertThat(stopped.exitCode())
                    .as("the daemon must not outlive the test: %s", stopped.err())
                    .isZero();
        }
    }

    private void write(String yaml) {
        try {
            Files.writeString(config, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HeraldProcess.Result reload() {
        return herald.run("reload", "--config=" + config);
    }

    private int stats(String key) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + herald.httpPort() + "/stats"))
                .header("Authorization", "Bearer " + key)
                .timeout(Duration.ofSeconds(5))
                .build();
        return HttpClient.newHttpClient()
                .send(request, HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    /** Waits until the daemon has bound {@code uid}: the client's bind returns once its uid frame is sent. */
    private void awaitOnline(String uid) {
        try (TextPortClient backend = TextPortClient.connect(new InetSocketAddress("127.0.0.1", herald.textPort()))) {
            await().until(() ->
                    backend.request("online {\"uid\":\"" + uid + "\"}").equals("{\"online\":{\"" + uid + "\":true}}"));
        }
    }

    private void assertStillServed(WebSocketRecorder client, String uid, String text) {
        String line = "{\"uid\":\"" + uid + "\",\"text\":\"" + text + "\"}";
        try (TextPortClient backend = TextPortClient.connect(new InetSocketAddress("127.0.0.1", herald.textPort()))) {
            assertThat(backend.request(line)).isEqualTo("ok");
        }
        assertThat(client.awaitMessage()).isEqualTo(line);
    }

    @Test
    void reloadAndStatusSpeakHttpsAndARenewedCertificateIsTakenUp() throws Exception {
        herald = new HeraldProcess(home);
        config = home.resolve("herald.yml");
        TestCertificate first = TestCertificate.generate(home.resolve("tls"));
        write("""
                websocket:
                  tls: {cert: tls/cert.pem, key: tls/key.pem}
                http:
                  tls: {cert: tls/cert.pem, key: tls/key.pem}
                """);
        HeraldProcess.Result started = herald.run("start", "-d", "--config=" + config);
        assertThat(started.exitCode()).as(started.err()).isZero();
        WebSocketRecorder keeper = WebSocketRecorder.bind(
                HttpClient.newBuilder().sslContext(first.clientContext()).build(),
                URI.create("wss://127.0.0.1:" + herald.webSocketPort() + "/"),
                "keeper");
        awaitOnline("keeper");

        // A renewal (certbot's deploy hook): new files at the same paths, then herald reload over https.
        TestCertificate renewed = TestCertificate.generate(home.resolve("renewed"));
        Files.copy(renewed.cert(), home.resolve("tls/cert.pem"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(renewed.key(), home.resolve("tls/key.pem"), StandardCopyOption.REPLACE_EXISTING);
        HeraldProcess.Result reloaded = reload();
        assertThat(reloaded.exitCode()).as(reloaded.err()).isZero();
        HeraldProcess.Result status = herald.run("status", "--json", "--config=" + config);
        assertThat(status.exitCode()).as(status.err()).isZero();
        JsonNode stats = new ObjectMapper().readTree(status.out());
        assertThat(stats.findPath("tls").path("websocket").path("serial").asText())
                .isEqualTo(renewed.serial().toString(16));
        assertStillServed(keeper, "keeper", "after the renewal");
    }

    @Test
    void reloadAppliesTheFileWithoutDroppingClients() throws Exception {
        herald = new HeraldProcess(home);
        config = home.resolve("herald.yml");
        write("http:\n  api-keys: [%s]\nlog:\n  level: info\n".formatted(OLD_KEY));
        HeraldProcess.Result started = herald.run("start", "-d", "--config=" + config);
        assertThat(started.exitCode()).as(started.err()).isZero();
        WebSocketRecorder keeper =
                WebSocketRecorder.bind(URI.create("ws://127.0.0.1:" + herald.webSocketPort() + "/"), "keeper");
        awaitOnline("keeper");
        assertStillServed(keeper, "keeper", "before");

        // A rotation, step one: add the new key. And log at DEBUG, as JSON.
        write("http:\n  api-keys: [%s, %s]\nlog:\n  level: debug\n  format: json\n".formatted(OLD_KEY, NEW_KEY));
        HeraldProcess.Result first = reload();
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out())
                .contains("reloaded its configuration")
                .contains("applied            http.api-keys, log.level, log.format");
        assertThat(stats(OLD_KEY)).isEqualTo(200);
        assertThat(stats(NEW_KEY)).isEqualTo(200);

        WebSocketRecorder second =
                WebSocketRecorder.bind(URI.create("ws://127.0.0.1:" + herald.webSocketPort() + "/"), "second");
        JsonNode bound = await().atMost(Duration.ofSeconds(10))
                .until(() -> logLine("uid=second"), Optional::isPresent)
                .orElseThrow();
        assertThat(bound.path("level").asText()).as("a DEBUG line, as JSON").isEqualTo("DEBUG");
        assertStillServed(keeper, "keeper", "after the first reload");
        assertStillServed(second, "second", "new client");

        // Step two: drop the old key. The command tries the keys of the file: the new one is known already.
        write("http:\n  api-keys: [%s]\nlog:\n  level: debug\n  format: json\n".formatted(NEW_KEY));
        HeraldProcess.Result dropped = reload();
        assertThat(dropped.exitCode()).as(dropped.err()).isZero();
        assertThat(dropped.out()).contains("applied            http.api-keys");
        assertThat(stats(OLD_KEY)).isEqualTo(401);
        assertThat(stats(NEW_KEY)).isEqualTo(200);

        // A key that needs a restart is reported, not applied.
        write("http:\n  api-keys: [%s]\nwebsocket:\n  compression: true\nlog:\n  level: debug\n  format: json\n"
                .formatted(NEW_KEY));
        HeraldProcess.Result restart = reload();
        assertThat(restart.exitCode()).as(restart.err()).isZero();
        assertThat(restart.out()).contains("restart required   websocket.compression");

        // A broken file is refused; the server goes on as it was.
        write("http:\n  api-keys: [%s]\nwebsocket:\n  ping-interval: soon\n".formatted(NEW_KEY));
        HeraldProcess.Result broken = reload();
        assertThat(broken.exitCode()).isEqualTo(2);
        assertThat(broken.err()).contains("websocket.ping-interval").contains("'soon' is not a duration");
        assertThat(stats(NEW_KEY)).isEqualTo(200);
        assertStillServed(keeper, "keeper", "after everything");
        keeper.assertNoMoreMessages();
        second.close();
    }

    @Test
    void reloadOfAServerThatDoesNotRunSaysSo() {
        herald = new HeraldProcess(home);
        config = home.resolve("herald.yml");
        write("");
        HeraldProcess.Result result = reload();
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.out()).contains("not running");
    }

    /** The first line of the daemon's log that contains {@code text}, parsed as JSON. */
    private Optional<JsonNode> logLine(String text) throws IOException {
        for (String line : Files.readAllLines(herald.logFile())) {
            if (line.contains(text)) {
                return Optional.of(new ObjectMapper().readTree(line));
            }
        }
        return Optional.empty();
    }
}
