package dev.herald.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The HTTP API through one JDK {@link HttpClient}: {@code POST <base>/api/<verb>} with the JSON
 * parameters as the body. The JDK pools keep-alive connections; a request is never retried.
 */
final class HttpHeraldClient extends CommandClient {

    private final HttpClient http;
    private final URI api;
    private final String authorization;
    private final Duration timeout;
    private final Set<CompletableFuture<JsonNode>> inFlight = ConcurrentHashMap.newKeySet();

    HttpHeraldClient(Builder options, URI baseUri) {
        super(options, "herald-http");
        Objects.requireNonNull(baseUri, "baseUri");
        if (!"http".equals(baseUri.getScheme()) && !"https".equals(baseUri.getScheme())) {
            throw new IllegalArgumentException("not an http(s) URI: " + baseUri);
        }
        String path = baseUri.getRawPath() == null ? "" : baseUri.getRawPath();
        this.api = baseUri.resolve(path + (path.endsWith("/") ? "" : "/") + "api/");
        this.authorization = options.apiKey == null ? null : "Bearer " + options.apiKey;
        this.timeout = options.timeout;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(options.connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(executor)
                .build();
    }

    private HttpRequest request(String verb, byte[] params) {
        HttpRequest.Builder request = HttpRequest.newBuilder(api.resolve(verb))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(params));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request.build();
    }

    @Override
    CompletableFuture<JsonNode> send(String verb, byte[] params) {
        CompletableFuture<JsonNode> call = new CompletableFuture<>();
        inFlight.add(call);
        call.whenComplete((reply, failure) -> inFlight.remove(call));
        if (isClosed()) {
            call.completeExceptionally(closedError());
            return call;
        }
        http.sendAsync(request(verb, params), HttpResponse.BodyHandlers.ofByteArray())
                .whenComplete((response, failure) -> {
                    try {
                        if (failure != null) {
                            Throwable cause = unwrapIo(failure);
                            throw cause instanceof IOException io
                                    ? transportError(verb, io)
                                    : new HeraldTransportException(ErrorCode.TRANSPORT, verb + ": " + cause, cause);
                        }
                        call.complete(codec.httpReply(response.statusCode(), response.body()));
                    } catch (RuntimeException e) {
                        call.completeExceptionally(e);
                    }
                });
        return call;
    }

    private static Throwable unwrapIo(Throwable failure) {
        Throwable cause = failure;
        while (!(cause instanceof IOException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof IOException ? cause : failure;
    }

    private HeraldTransportException transportError(String verb, IOException e) {
        if (e instanceof HttpTimeoutException) {
            return new HeraldTransportException(
                    ErrorCode.TIMEOUT,
                    verb + " to " + api + ": no reply within the timeout (" + e.getMessage() + ")",
                    e);
        }
        return new HeraldTransportException(ErrorCode.TRANSPORT, verb + " to " + api + " failed: " + e, e);
    }

    /**
     * Fails the calls in flight. The JDK {@code HttpClient} has no {@code close()} before Java 21; its
     * connections go with it once it is unreachable, and requests still running end by their timeout.
     */
    @Override
    void closeTransport() {
        for (CompletableFuture<JsonNode> call : inFlight) {
            call.completeExceptionally(closedError());
        }
    }
}
