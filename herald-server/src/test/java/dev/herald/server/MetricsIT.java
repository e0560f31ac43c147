package dev.herald.server;

import static dev.herald.server.WebSocketTestSupport.bind;
import static dev.herald.server.WebSocketTestSupport.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testkit.RawWebSocket;
import dev.herald.testkit.SocketBuffers;
import dev.herald.testkit.TextPortClient;
import dev.herald.testkit.WebSocketRecorder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code GET /metrics} scraped before and after real actions (clients, backends on both adapters, closes,
 * a slow consumer): each metric moves by exactly what the action did, and nothing else moves.
 */
class MetricsIT {

    private static final String[] PUSH_SERIES = {
        "text", "ok", "text", "fail", "text", "error", "http", "ok", "http", "fail", "http", "error"
    };

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

    private static String text(HeraldServer server, String line) {
        try (TextPortClient backend = TextPortClient.connect(server.textAddress())) {
            return backend.request(line);
        }
    }

    private static String http(HeraldServer server, String verb, String json) {
        HttpCalls.Response response = HttpCalls.command(server, null, verb, json);
        return response.status() + " " + response.body();
    }

    static Stream<Arguments> pushes() {
        return Stream.of(
                push("Text port: seed line to a bound uid", s -> text(s, "{\"uid\":\"alice\"}"), "ok", "text", "ok"),
                push(
                        "Text port: seed line to an unbound uid",
                        s -> text(s, "{\"uid\":\"bob\"}"),
                        "fail",
                        "text",
                        "fail"),
                push(
                        "Text port: seed line that is not JSON",
                        s -> text(s, "{nope"),
                        "error invalid_json",
                        "text",
                        "error"),
                push(
                        "Text port: seed line without a uid",
                        s -> text(s, "{\"a\":1}"),
                        "error missing_uid",
                        "text",
                        "error"),
                push(
                        "Text port: push command to a bound uid",
                        s -> text(s, "push {\"uid\":\"alice\",\"data\":\"hi\"}"),
                        "{\"connections\":1",
                        "text",
                        "ok"),
                push(
                        "Text port: broadcast command",
                        s -> text(s, "broadcast {\"data\":\"hi\"}"),
                        "{\"connections\":1",
                        "text",
                        "ok"),
                push(
                        "Text port: push command with an empty uid",
                        s -> text(s, "push {\"uid\":\"\",\"data\":\"hi\"}"),
                        "{\"error\":{\"code\":\"invalid_field\"",
                        "text",
                        "error"),
                push(
                        "HTTP: push to a bound uid",
                        s -> http(s, "push", "{\"uid\":\"alice\",\"data\":1}"),
                        "200 {\"connections\":1",
                        "http",
                        "ok"),
                push(
                        "HTTP: push to an unbound uid",
                        s -> http(s, "push", "{\"uid\":\"bob\",\"data\":1}"),
                        "200 {\"connections\":0",
                        "http",
                        "fail"),
                push(
                        "HTTP: push without data",
                        s -> http(s, "push", "{\"uid\":\"alice\"}"),
                        "400 {\"error\":{\"code\":\"missing_field\"",
                        "http",
                        "error"),
                push(
                        "HTTP: broadcast with an unknown field",
                        s -> http(s, "broadcast", "{\"data\":1,\"x\":2}"),
                        "400 {\"error\":{\"code\":\"unknown_field\"",
                        "http",
                        "error"),
                push("HTTP: count is not a push", s -> http(s, "count", ""), "200 {\"connections\":1", null, null),
                push(
                        "Text port: a refused count is not a push",
                        s -> text(s, "count {\"x\":1}"),
                        "{\"error\":{\"code\":\"unknown_field\"",
                        null,
                        null));
    }

    private static Arguments push(
            String name, Function<HeraldServer, String> action, String reply, String adapter, String result) {
        return argumentSet(name, action, reply, adapter, result);
    }

    @ParameterizedTest
    @MethodSource("pushes")
    void pushesCountByAdapterAndResult(
            Function<HeraldServer, String> action, String reply, String adapter, String result) {
        start();
        WebSocketRecorder alice = bind(server, "alice");
        try {
            Scrape before = Scrape.of(server);

            assertThat(action.apply(server)).startsWith(reply);

            Scrape after = Scrape.of(server);
            for (int i = 0; i < PUSH_SERIES.length; i += 2) {
                boolean expected = PUSH_SERIES[i].equals(adapter) && PUSH_SERIES[i + 1].equals(result);
                assertThat(after.since(
                                before, "herald_pushes_total", "adapter", PUSH_SERIES[i], "result", PUSH_SERIES[i + 1]))
                        .as("herald_pushes_total{adapter=%s,result=%s}", PUSH_SERIES[i], PUSH_SERIES[i + 1])
                        .isEqualTo(expected ? 1.0 : 0.0);
            }
        } finally {
            alice.close();
        }
        assertThat(Scrape.of(server).types()).containsEntry("herald_pushes_total", "counter");
    }

    @Test
    void textPortErrorsCountByCodeAndLinesAreCounted() {
        start();
        Scrape before = Scrape.of(server);
        try (TextPortClient backend = TextPortClient.connect(server.textAddress())) {
            assertThat(backend.request("[1]")).startsWith("error invalid_json");
            assertThat(backend.request("{\"uid\":true}")).startsWith("error invalid_uid");
            assertThat(backend.request("{\"uid\":false}")).startsWith("error invalid_uid");
            assertThat(backend.request("{\"uid\":\"nobody\"}")).isEqualTo("fail");
        }
        Scrape after = Scrape.of(server);
        assertThat(after.since(before, "herald_text_lines_total")).isEqualTo(4);
        assertThat(after.since(before, "herald_text_errors_total", "code", "invalid_json"))
                .isEqualTo(1);
        assertThat(after.since(before, "herald_text_errors_total", "code", "invalid_uid"))
                .isEqualTo(2);
        assertThat(after.since(before, "herald_text_errors_total", "code", "missing_uid"))
                .isZero();
        assertThat(after.since(before, "herald_pushes_total", "adapter", "text", "result", "error"))
                .isEqualTo(3);
    }

    @Test
    void connectionsUidsGroupsAndBackendConnectionsAreGauges() {
        start();
        Scrape before = Scrape.of(server);
        assertThat(before.value("herald_connections")).isZero();
        assertThat(before.types())
                .containsEntry("herald_connections", "gauge")
                .containsEntry("herald_uids", "gauge")
                .containsEntry("herald_groups", "gauge")
                .containsEntry("herald_backend_connections", "gauge");

        WebSocketRecorder a1 = bind(server, "a");
        WebSocketRecorder a2 = bind(server, "a");
        WebSocketRecorder b = bind(server, "b");
        try (TextPortClient backend = TextPortClient.connect(server.textAddress())) {
            assertThat(backend.request("join {\"group\":\"room\",\"uids\":[\"a\",\"x\"]}"))
                    .isEqualTo("{\"group\":\"room\",\"added\":2}");
            assertThat(backend.request("join {\"group\":\"hall\",\"uid\":\"b\"}"))
                    .contains("\"added\":1");

            Scrape during = Scrape.of(server);
            assertThat(during.value("herald_connections")).isEqualTo(3);
            assertThat(during.value("herald_uids")).isEqualTo(2);
            assertThat(during.value("herald_groups")).isEqualTo(2);
            assertThat(during.value("herald_backend_connections", "adapter", "text"))
                    .isEqualTo(1);
            assertThat(during.since(before, "herald_frames_received_total")).isEqualTo(3);

            a1.close();
            await().until(() -> Scrape.of(server).value("herald_connections") == 2);
            Scrape after = Scrape.of(server);
            assertThat(after.value("herald_uids"))
                    .as("a still has a connection")
                    .isEqualTo(2);
            assertThat(after.since(before, "herald_server_closes_total", "code", "1001"))
                    .as("a client's own close is not a server close")
                    .isZero();
        } finally {
            a2.close();
            b.close();
        }
        await().until(() -> Scrape.of(server).value("herald_connections") == 0);
        Scrape after = Scrape.of(server);
        assertThat(after.value("herald_uids")).isZero();
        assertThat(after.value("herald_groups"))
                .as("membership outlives connections")
                .isEqualTo(2);
        await().until(() -> Scrape.of(server).value("herald_backend_connections", "adapter", "text") == 0);
    }

    @Test
    void deliveriesCountOneMessagePerConnectionReachedAndItsBytes() {
        start("metrics.latency-sample-every", "1");
        try (WebSocketRecorder d1 = bind(server, "dora");
                WebSocketRecorder d2 = bind(server, "dora");
                WebSocketRecorder e = bind(server, "eve")) {
            Scrape before = Scrape.of(server);
            String line = message("dora", "é 88%");
            int bytes = line.getBytes(StandardCharsets.UTF_8).length;

            assertThat(text(server, line)).isEqualTo("ok");
            assertThat(d1.awaitMessage()).isEqualTo(line);
            assertThat(d2.awaitMessage()).isEqualTo(line);
            assertThat(text(server, "broadcast {\"data\":\"hey\"}")).startsWith("{\"connections\":3");
            for (WebSocketRecorder client : List.of(d1, d2, e)) {
                assertThat(client.awaitMessage()).isEqualTo("hey");
            }

            Scrape after = Scrape.of(server);
            assertThat(after.since(before, "herald_delivered_messages_total")).isEqualTo(5);
            assertThat(after.since(before, "herald_delivered_bytes_total")).isEqualTo(2 * bytes + 3 * 3);
            assertThat(after.since(before, "herald_pushes_total", "adapter", "text", "result", "ok"))
                    .isEqualTo(2);
            e.assertNoMoreMessages();
        }
    }

    @Test
    void framesReceivedAndIgnored() {
        start();
        Scrape before = Scrape.of(server);
        try (WebSocketRecorder client = bind(server, "chatty")) {
            client.send("after the bind");
            client.sendBinary(new byte[] {1, 2, 3});
            // Each frame is counted as received, then as ignored: wait for both counts.
            await().untilAsserted(() -> {
                Scrape after = Scrape.of(server);
                assertThat(after.since(before, "herald_frames_received_total")).isEqualTo(3);
                assertThat(after.since(before, "herald_frames_ignored_total")).isEqualTo(2);
            });
        }
    }

    @Test
    void serverClosesCountByCode() {
        start("websocket.max-uid-bytes", "8");
        Scrape before = Scrape.of(server);
        try (RawWebSocket tooLong = RawWebSocket.connect(server.websocketAddress());
                WebSocketRecorder kicked = bind(server, "kicked")) {
            tooLong.sendText("much-too-long-uid");
            assertThat(tooLong.awaitClose().closeCode()).isEqualTo(4500);
            assertThat(text(server, "kick {\"uid\":\"kicked\",\"reason\":\"bye\"}"))
                    .isEqualTo("{\"closed\":1}");
            assertThat(kicked.awaitClose()).isEqualTo(new WebSocketRecorder.Close(4501, "bye"));
        }
        Scrape after = Scrape.of(server);
        assertThat(after.since(before, "herald_server_closes_total", "code", "4500"))
                .isEqualTo(1);
        assertThat(after.since(before, "herald_server_closes_total", "code", "4501"))
                .isEqualTo(1);
        for (String code : List.of("1001", "1002", "1007", "1009", "1011", "4001", "4002", "4003")) {
            assertThat(after.since(before, "herald_server_closes_total", "code", code))
                    .as("closes with %s", code)
                    .isZero();
        }
    }

    @Test
    void slowConsumerIsPausedThenClosed() {
        start("websocket.max-outbound-bytes", "64KiB");
        Scrape before = Scrape.of(server);
        try (RawWebSocket slow = RawWebSocket.connect(server.websocketAddress(), "/", Map.of(), 4096);
                TextPortClient backend = TextPortClient.connect(server.textAddress())) {
            slow.sendText("slow");
            await().until(() -> server.hub().isOnline("slow"));
            String line = message("slow", "x".repeat(32 * 1024));
            // Twice what the kernel's buffers hold before the server's queue fills.
            long maxPushes = Math.max(400, 2 * SocketBuffers.unreadCapacity() / (32 * 1024));
            String reply = "ok";
            for (int pushes = 0; reply.equals("ok") && pushes < maxPushes; pushes++) {
                reply = backend.request(line);
            }
            assertThat(reply).isEqualTo("fail");

            // The push that finds the queue full counts the close at once.
            Scrape closed = Scrape.of(server);
            assertThat(closed.since(before, "herald_slow_consumers_total", "action", "closed"))
                    .isEqualTo(1);
            assertThat(closed.since(before, "herald_server_closes_total", "code", "4003"))
                    .isEqualTo(1);
            // The pause may come after it: when the frames still waiting in the loop's outbox, not the
            // socket buffer, reached the limit, the socket turns unwritable once the loop writes them,
            // before the close frame. So wait for it while the client is still connected (once it
            // is gone, those writes fail instead).
            await().untilAsserted(() -> assertThat(
                            Scrape.of(server).since(before, "herald_slow_consumers_total", "action", "paused"))
                    .isGreaterThanOrEqualTo(1));
        }
        Scrape after = Scrape.of(server);
        assertThat(after.since(before, "herald_slow_consumers_total", "action", "closed"))
                .isEqualTo(1);
        assertThat(after.since(before, "herald_server_closes_total", "code", "4003"))
                .isEqualTo(1);
    }

    @Test
    void pushToWriteLatencyIsAHistogramOfEveryWriteWhenSamplingAll() {
        start("metrics.latency-sample-every", "1");
        try (WebSocketRecorder client = bind(server, "timed")) {
            Scrape before = Scrape.of(server);
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                lines.add(message("timed", "m" + i));
            }
            try (TextPortClient backend = TextPortClient.connect(server.textAddress())) {
                for (String line : lines) {
                    assertThat(backend.request(line)).isEqualTo("ok");
                }
            }
            for (String line : lines) {
                assertThat(client.awaitMessage()).isEqualTo(line);
            }

            await().until(() -> Scrape.of(server).since(before, "herald_push_write_latency_seconds_count") == 20);
            Scrape after = Scrape.of(server);
            assertThat(after.types()).containsEntry("herald_push_write_latency_seconds", "histogram");
            assertThat(after.since(before, "herald_push_write_latency_seconds_sum"))
                    .isPositive()
                    .isLessThan(20 * 10.0);
            assertThat(after.since(before, "herald_push_write_latency_seconds_bucket", "le", "+Inf"))
                    .isEqualTo(20);
            double previous = 0;
            for (String le : List.of("1.0E-4", "0.001", "0.01", "0.1", "1.0", "10.0", "+Inf")) {
                double count = after.value("herald_push_write_latency_seconds_bucket", "le", le);
                assertThat(count).as("bucket le=%s is cumulative", le).isGreaterThanOrEqualTo(previous);
                previous = count;
            }
            assertThat(after.value("herald_push_write_latency_seconds_max")).isPositive();
        }
    }

    @Test
    void noLatencyIsMeasuredWhenSamplingIsOff() {
        start("metrics.latency-sample-every", "0");
        try (WebSocketRecorder client = bind(server, "untimed")) {
            String line = message("untimed", "m");
            assertThat(text(server, line)).isEqualTo("ok");
            assertThat(client.awaitMessage()).isEqualTo(line);
        }
        Scrape after = Scrape.of(server);
        assertThat(after.value("herald_delivered_messages_total")).isEqualTo(1);
        assertThat(after.value("herald_push_write_latency_seconds_count")).isZero();
    }

    @Test
    void httpRequestsAndResponsesByStatusAndTheEndpointNeedsNoKey() {
        start("http.api-keys", "metrics-test-key-0123456789");
        Scrape.of(server); // so that a 200 has been counted before "before"
        Scrape before = Scrape.of(server);
        assertThat(HttpCalls.get(server, null, "/nowhere").status()).isEqualTo(404);
        assertThat(HttpCalls.get(server, null, "/stats").status()).isEqualTo(401);
        assertThat(HttpCalls.get(server, "metrics-test-key-0123456789", "/stats")
                        .status())
                .isEqualTo(200);
        Scrape after = Scrape.of(server);

        // The scrape of "before" is a request too; its response is counted once sent.
        assertThat(after.since(before, "herald_http_requests_total")).isEqualTo(4);
        assertThat(after.value("herald_http_responses_total", "status", "404")).isEqualTo(1);
        assertThat(after.value("herald_http_responses_total", "status", "401")).isEqualTo(1);
        assertThat(after.since(before, "herald_http_responses_total", "status", "200"))
                .isEqualTo(2);
        assertThat(after.value("jvm_threads_live_threads")).as("JVM basics").isPositive();
        assertThat(after.value("process_uptime_seconds")).isPositive();
        assertThat(after.value("herald_netty_memory_used_bytes", "area", "direct"))
                .isGreaterThanOrEqualTo(0);
    }

    @Test
    void eventLoopLatenessPerGroupOfLoopsInMetricsAndStats() throws Exception {
        start();
        Scrape scrape = Scrape.of(server);
        assertThat(scrape.value("herald_event_loop_late_seconds_total", "loops", "clients"))
                .isGreaterThanOrEqualTo(0);
        assertThat(scrape.value("herald_event_loop_late_seconds_total", "loops", "backends"))
                .isGreaterThanOrEqualTo(0);
        assertThat(scrape.value("herald_event_loop_late_max_seconds", "loops", "backends"))
                .isGreaterThanOrEqualTo(0);
        JsonNode late = new ObjectMapper()
                .readTree(HttpCalls.get(server, null, "/stats").body())
                .path("eventLoopLate");
        assertThat(late.path("clients").path("recentMaxMs").isNumber()).isTrue();
        assertThat(late.path("backends").path("totalMs").isNumber()).isTrue();
        server.stop();

        // Backends on the client loops: one group, one series.
        start("server.backend-io-threads", "0");
        assertThat(Scrape.of(server).samples())
                .containsKey(Scrape.series("herald_event_loop_late_seconds_total", "loops", "clients"))
                .doesNotContainKey(Scrape.series("herald_event_loop_late_seconds_total", "loops", "backends"));
        assertThat(new ObjectMapper()
                        .readTree(HttpCalls.get(server, null, "/stats").body())
                        .path("eventLoopLate")
                        .has("backends"))
                .isFalse();
    }
}
