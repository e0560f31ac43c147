package dev.herald.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Requests to a test server's HTTP listener, with a bounded timeout; {@code key} may be {@code null}. */
final class HttpCalls {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Response(int status, String body) {}

    private HttpCalls() {}

    /** {@code POST /api/<verb>} with a JSON body. */
    static Response command(HeraldServer server, String key, String verb, String json) {
        return send(request(server, "/api/" + verb, key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    static Response post(HeraldServer server, String key, String path) {
        return send(request(server, path, key).POST(HttpRequest.BodyPublishers.noBody()));
    }

    static Response get(HeraldServer server, String key, String path) {
        return send(request(server, path, key).GET());
    }

    private static HttpRequest.Builder request(HeraldServer server, String path, String key) {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.httpAddress().getPort() + path))
                .timeout(Duration.ofSeconds(10));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return request;
    }

    private static Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
