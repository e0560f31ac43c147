package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testkit.TextPortClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Backend limits end to end: {@code text.max-connections} and pushes per second on both adapters. */
class BackendLimitsIT {

    private static final String KEY = "limits-key-0123456789";
    private static final String OTHER = "other-key-0123456789";

    private HeraldServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private static JsonNode json(String text) throws Exception {
        return new ObjectMapper().readTree(text);
    }

    @Test
    void aTextPortConnectionPastMaxConnectionsIsRefusedAndClosed() throws Exception {
        server = TestServer.start("text.max-connections", "2");
        try (TextPortClient first = TextPortClient.connect(server.textAddress());
                TextPortClient second = TextPortClient.connect(server.textAddress())) {
            assertThat(first.request("{\"uid\":\"a\"}")).isEqualTo("fail");
            assertThat(second.request("{\"uid\":\"a\"}")).isEqualTo("fail");
            try (TextPortClient third = TextPortClient.connect(server.textAddress())) {
                third.write("{\"uid\":\"a\"}\n");
                assertThat(third.readLine())
                        .isEqualTo(
                                "error too_many_connections 2 Text-port connections are open (text.max-connections)");
                assertThat(third.readLine()).isNull();
            }
            assertThat(first.request("{\"uid\":\"a\"}"))
                    .as("the open ones stay")
                    .isEqualTo("fail");
        }
        await().until(() -> ((Number) server.stats().get("backendConnections")).intValue() == 0);
        try (TextPortClient again = TextPortClient.connect(server.textAddress())) {
            assertThat(again.request("{\"uid\":\"a\"}"))
                    .as("room again once they closed")
                    .isEqualTo("fail");
        }
        JsonNode errors =
                json(HttpCalls.get(server, null, "/stats").body()).path("text").path("errors");
        assertThat(errors.path("too_many_connections").asLong()).isEqualTo(1);
        assertThat(Scrape.of(server).value("herald_text_errors_total", "code", "too_many_connections"))
                .isEqualTo(1.0);
    }

    @Test
    void pushesPastTheTextRateAreRefusedAndTheConnectionStays() throws Exception {
        server = TestServer.start("text.max-pushes-per-second", "3");
        try (TextPortClient php = TextPortClient.connect(server.textAddress());
                TextPortClient other = TextPortClient.connect(server.textAddress())) {
            // One write: all lines come within a fraction of the second, so the bucket barely refills.
            php.write("{\"uid\":\"a\"}\n{\"uid\":\"a\"}\n{\"uid\":\"a\"}\n{\"uid\":\"a\"}\n");
            for (int i = 0; i < 3; i++) {
                assertThat(php.readLine()).isEqualTo("fail");
            }
            assertThat(php.readLine()).startsWith("error rate_limited ");
            assertThat(php.request("count")).as("queries are not pushes").startsWith("{\"connections\":");
            JsonNode batch = json(php.request("push [{\"uid\":\"a\",\"data\":1}]"));
            assertThat(batch.path("error").path("code").asText()).isEqualTo("rate_limited");
            assertThat(other.request("{\"uid\":\"a\"}"))
                    .as("each connection has its own budget")
                    .isEqualTo("fail");
            await().untilAsserted(
                            () -> assertThat(php.request("{\"uid\":\"a\"}")).isEqualTo("fail"));
        }
        JsonNode errors =
                json(HttpCalls.get(server, null, "/stats").body()).path("text").path("errors");
        assertThat(errors.path("rate_limited").asLong()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void pushesPastTheHttpRateGet429WithRetryAfterPerKey() throws Exception {
        server = TestServer.start("http.api-keys", KEY + "," + OTHER, "http.max-pushes-per-second", "3");
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest.Builder batch = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.httpAddress().getPort() + "/api/push"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + KEY)
                .POST(HttpRequest.BodyPublishers.ofString(
                        "[{\"uid\":\"a\",\"data\":1},{\"uid\":\"b\",\"data\":2},{\"uid\":\"c\",\"data\":3}]"));
        assertThat(http.send(batch.build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .as("a batch of 3 takes the burst")
                .isEqualTo(200);
        HttpResponse<String> limited = http.send(batch.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After"))
                .hasValueSatisfying(value -> assertThat(Integer.parseInt(value)).isBetween(1, 2));
        assertThat(json(limited.body()).path("error").path("code").asText()).isEqualTo("rate_limited");
        assertThat(HttpCalls.command(server, KEY, "count", "{}").status())
                .as("queries are not pushes")
                .isEqualTo(200);
        assertThat(HttpCalls.command(server, OTHER, "push", "{\"uid\":\"a\",\"data\":1}")
                        .status())
                .as("each key has its own budget")
                .isEqualTo(200);
        assertThat(Scrape.of(server).value("herald_http_responses_total", "status", "429"))
                .isEqualTo(1.0);
    }
}
