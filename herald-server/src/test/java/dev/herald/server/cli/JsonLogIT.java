package dev.herald.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testkit.TextPortClient;
import dev.herald.testkit.WebSocketRecorder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code log.format=json}: every line a daemon writes to its log file, or a server to the console, is one JSON object. */
class JsonLogIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;

    private HeraldProcess herald;

    @AfterEach
    void stop() {
        if (herald != null) {
            herald.run("stop");
        }
    }

    @Test
    void daemonLogsOneJsonObjectPerLine() throws Exception {
        herald = new HeraldProcess(home);
        HeraldProcess.Result started = herald.run("start", "-d", "--log.format=json", "--log.level=debug");
        assertThat(started.exitCode()).as(started.err()).isZero();
        assertThat(started.out()).as("the listening line, as logged").contains("\"formattedMessage\":\"Herald ");
        try (WebSocketRecorder client =
                        WebSocketRecorder.bind(URI.create("ws://127.0.0.1:" + herald.webSocketPort() + "/"), "u1");
                TextPortClient backend =
                        TextPortClient.connect(new InetSocketAddress("127.0.0.1", herald.textPort()))) {
            await().until(() -> backend.request("{\"uid\":\"u1\"}").equals("ok"));
            assertThat(client.awaitMessage()).isEqualTo("{\"uid\":\"u1\"}");
            assertThat(backend.request("{not json")).startsWith("error invalid_json");
        }
        assertThat(herald.run("stop").exitCode()).isZero();
        Path log = herald.logFile();
        herald = null;

        List<JsonNode> lines = jsonLines(log);
        assertThat(lines).anySatisfy(line -> {
            assertThat(line.path("level").asText()).isEqualTo("INFO");
            assertThat(line.path("formattedMessage").asText()).contains("listening");
        });
        assertThat(lines).anySatisfy(line -> {
            assertThat(line.path("level").asText()).isEqualTo("DEBUG");
            assertThat(line.path("formattedMessage").asText())
                    .contains("refused line")
                    .contains("invalid_json");
        });
        assertThat(lines)
                .anySatisfy(line ->
                        assertThat(line.path("formattedMessage").asText()).contains("stopped after"));
    }

    @Test
    void foregroundServerLogsJsonToTheConsole() throws Exception {
        herald = new HeraldProcess(home);
        Process process = herald.startInBackground(herald.args("start", "--log.format=json"));
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(herald.pidFile()));
            process.destroy();
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        } finally {
            process.destroyForcibly();
        }
        List<JsonNode> lines = jsonLines(herald.console());
        assertThat(lines)
                .extracting(line -> line.path("formattedMessage").asText())
                .anySatisfy(message -> assertThat(message).contains("listening"))
                .anySatisfy(message -> assertThat(message).contains("stopped after"));
    }

    /** Every line of the file, each of which must be a JSON object with the fields of an event. */
    private static List<JsonNode> jsonLines(Path file) throws IOException {
        List<JsonNode> events = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            JsonNode event = JSON.readTree(line);
            assertThat(event.isObject()).as(line).isTrue();
            assertThat(event.path("level").asText()).as(line).isIn("ERROR", "WARN", "INFO", "DEBUG", "TRACE");
            assertThat(event.path("loggerName").asText()).as(line).isNotEmpty();
            assertThat(event.path("formattedMessage").isTextual()).as(line).isTrue();
            assertThat(event.path("message").isTextual()).as(line).isTrue();
            assertThat(event.path("timestamp").isNumber()).as(line).isTrue();
            assertThat(event.path("threadName").asText()).as(line).isNotEmpty();
            events.add(event);
        }
        assertThat(events).isNotEmpty();
        return events;
    }
}
