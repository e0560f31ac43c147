package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testkit.RawHttpClient;
import dev.herald.testkit.RawHttpClient.Response;
import dev.herald.testkit.SocketBuffers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The HTTP adapter end to end, with {@code java.net.http} and raw sockets: every status code, API keys
 * from loopback and from another address, body limits (also with {@code Expect: 100-continue} and
 * chunked bodies), HEAD, keep-alive, HTTP/1.0, pipelining in order, and back-pressure on a client that
 * does not read. What each command does is {@code CommandsIT}'s business, not this one's.
 */
class HttpApiIT {

    static final String KEY = "test-key-0123456789abcdef";
    static final String OTHER_KEY = "other-key-0123456789abcdef";
    static final int LIMIT = 4096;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    /** API keys configured, body limit {@value #LIMIT} bytes, loopback only. */
    private static HeraldServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start("http.api-keys", KEY + "," + OTHER_KEY, "http.max-body-bytes", String.valueOf(LIMIT));
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    // ---- status codes with java.net.http

    static Stream<Arguments> statuses() {
        String bearer = "Bearer " + KEY;
        String json = "application/json";
        return Stream.of(
                argumentSet("200 count, empty body", post("/api/count", null, bearer, ""), 200, null, null),
                argumentSet(
                        "200 query string ignored", post("/api/count?pretty=1&x", json, bearer, "{}"), 200, null, null),
                argumentSet(
                        "200 charset=UTF-8",
                        post("/api/count", "application/json; charset=UTF-8", bearer, "{}"),
                        200,
                        null,
                        null),
                argumentSet(
                        "200 the second key", post("/api/count", json, "Bearer " + OTHER_KEY, "{}"), 200, null, null),
                argumentSet("200 scheme in any case", post("/api/count", json, "bearer " + KEY, "{}"), 200, null, null),
                argumentSet("200 GET /stats", get("/stats", bearer), 200, null, null),
                argumentSet("200 POST /admin/reload", post("/admin/reload", null, bearer, ""), 200, null, null),
                argumentSet("200 /healthz needs no key", get("/healthz", null), 200, null, null),
                argumentSet("200 /readyz needs no key", get("/readyz", null), 200, null, null),
                argumentSet("200 /metrics needs no key", get("/metrics", null), 200, null, null),
                argumentSet("200 /openapi.json needs no key", get("/openapi.json", null), 200, null, null),
                argumentSet(
                        "400 missing field",
                        post("/api/push", json, bearer, "{\"uid\":\"a\"}"),
                        400,
                        "missing_field",
                        "data"),
                argumentSet(
                        "400 push with an empty body",
                        post("/api/push", null, bearer, ""),
                        400,
                        "missing_field",
                        "data"),
                argumentSet(
                        "400 invalid list item",
                        post("/api/online", json, bearer, "{\"uids\":[\"a\",\"\"]}"),
                        400,
                        "invalid_field",
                        "uids[1]"),
                argumentSet(
                        "400 unknown field",
                        post("/api/count", json, bearer, "{\"grop\":\"g\"}"),
                        400,
                        "unknown_field",
                        "grop"),
                argumentSet("400 not JSON", post("/api/count", json, bearer, "{"), 400, "invalid_json", null),
                argumentSet(
                        "400 JSON array for count", post("/api/count", json, bearer, "[]"), 400, "invalid_json", null),
                argumentSet(
                        "400 body not UTF-8",
                        post("/api/push", json, bearer, new byte[] {'{', '"', (byte) 0xff, '"', ':', '1', '}'}),
                        400,
                        "invalid_json",
                        null),
                argumentSet("200 percent-encoded path", post("/api/c%6Funt", json, bearer, "{}"), 200, null, null),
                argumentSet("401 no key", post("/api/count", json, null, "{}"), 401, "unauthorized", null),
                argumentSet(
                        "401 unknown key",
                        post("/api/count", json, "Bearer " + KEY + "x", "{}"),
                        401,
                        "unauthorized",
                        null),
                argumentSet(
                        "401 a key prefix",
                        post("/api/count", json, "Bearer " + KEY.substring(0, 20), "{}"),
                        401,
                        "unauthorized",
                        null),
                argumentSet(
                        "401 not Bearer", post("/api/count", json, "Basic " + KEY, "{}"), 401, "unauthorized", null),
                argumentSet("401 /stats", get("/stats", null), 401, "unauthorized", null),
                argumentSet("401 /admin/reload", post("/admin/reload", null, null, ""), 401, "unauthorized", null),
                argumentSet("404 unknown verb", post("/api/publish", json, bearer, "{}"), 404, "not_found", null),
                argumentSet("404 unknown verb, no key", post("/api/publish", json, null, "{}"), 404, "not_found", null),
                argumentSet("404 unknown path", get("/index.html", null), 404, "not_found", null),
                argumentSet("404 root", get("/", null), 404, "not_found", null),
                argumentSet("404 /api/", post("/api/", json, bearer, "{}"), 404, "not_found", null),
                argumentSet(
                        "404 trailing slash on a command",
                        post("/api/count/", json, bearer, "{}"),
                        404,
                        "not_found",
                        null),
                argumentSet("404 trailing slash on /healthz", get("/healthz/", null), 404, "not_found", null),
                argumentSet(
                        "404 paths are case-sensitive", post("/API/count", json, bearer, "{}"), 404, "not_found", null),
                argumentSet("405 GET a command", get("/api/count", bearer), 405, "method_not_allowed", null),
                argumentSet("405 POST /healthz", post("/healthz", null, null, ""), 405, "method_not_allowed", null),
                argumentSet("405 GET /admin/reload", get("/admin/reload", bearer), 405, "method_not_allowed", null),
                argumentSet(
                        "413 body over the limit",
                        post("/api/push", json, bearer, pushOfSize(LIMIT + 1)),
                        413,
                        "too_large",
                        null),
                argumentSet(
                        "413 on any path", post("/healthz", json, null, pushOfSize(LIMIT + 1)), 413, "too_large", null),
                argumentSet(
                        "415 text/plain",
                        post("/api/count", "text/plain", bearer, "{}"),
                        415,
                        "unsupported_media_type",
                        null),
                argumentSet(
                        "415 no Content-Type",
                        post("/api/count", null, bearer, "{}"),
                        415,
                        "unsupported_media_type",
                        null),
                argumentSet(
                        "415 charset other than UTF-8",
                        post("/api/count", "application/json; charset=iso-8859-1", bearer, "{}"),
                        415,
                        "unsupported_media_type",
                        null));
    }

    @ParameterizedTest
    @MethodSource("statuses")
    void answersWithTheStatusAndErrorBody(HttpRequest request, int status, String code, String field) throws Exception {
        HttpResponse<byte[]> response = HTTP.send(request, BodyHandlers.ofByteArray());

        assertThat(response.statusCode()).isEqualTo(status);
        if (code != null) {
            assertThat(response.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
            JsonNode error = JSON.readTree(response.body()).get("error");
            assertThat(error.get("code").asText()).isEqualTo(code);
            assertThat(error.get("message").asText()).isNotBlank();
            if (field == null) {
                assertThat(error.has("field")).as("no field in %s", error).isFalse();
            } else {
                assertThat(error.get("field").asText()).isEqualTo(field);
            }
        } else if (request.uri().getPath().startsWith("/api/")
                || request.uri().getPath().equals("/stats")) {
            assertThat(JSON.readTree(response.body()).isObject()).isTrue();
        }
    }

    @Test
    void bodiesUpToTheLimitAreAccepted() throws Exception {
        assertThat(send(post("/api/push", "application/json", "Bearer " + KEY, pushOfSize(LIMIT)))
                        .statusCode())
                .isEqualTo(200);
        assertThat(send(post("/api/push", "application/json", "Bearer " + KEY, pushOfSize(LIMIT + 1)))
                        .statusCode())
                .isEqualTo(413);
    }

    @Test
    void unauthorizedAnswersNameTheBearerScheme() throws Exception {
        HttpResponse<String> response = send(post("/api/count", "application/json", null, "{}"));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("www-authenticate")).hasValue("Bearer");
    }

    static Stream<Arguments> wrongMethods() {
        return Stream.of(
                argumentSet("GET a command", "GET", "/api/push", "POST"),
                argumentSet("HEAD a command", "HEAD", "/api/count", "POST"),
                argumentSet("PUT a command", "PUT", "/api/push", "POST"),
                argumentSet("POST /healthz", "POST", "/healthz", "GET, HEAD"),
                argumentSet("DELETE /stats", "DELETE", "/stats", "GET, HEAD"),
                argumentSet("OPTIONS /openapi.json", "OPTIONS", "/openapi.json", "GET, HEAD"),
                argumentSet("GET /admin/reload", "GET", "/admin/reload", "POST"));
    }

    @ParameterizedTest
    @MethodSource("wrongMethods")
    void methodNotAllowedListsTheAllowedMethods(String method, String path, String allow) {
        try (RawHttpClient client = RawHttpClient.connect(server.httpAddress())) {
            client.write(method + " " + path + " HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer " + KEY + "\r\n\r\n");
            Response response = method.equals("HEAD") ? client.readHead() : client.read();

            assertThat(response.status()).isEqualTo(405);
            assertThat(response.header("allow")).isEqualTo(allow);
        }
    }

    // ---- a client that stops in the middle of a request

    @Test
    void aRequestThatStopsHalfwayIsAnswered408AndClosedButAnIdleConnectionIsKept() throws Exception {
        HeraldServer timed = TestServer.start("http.read-timeout", "1s");
        int port = timed.httpAddress().getPort();
        try (java.net.Socket idle = new java.net.Socket("127.0.0.1", port);
                java.net.Socket stalled = new java.net.Socket("127.0.0.1", port)) {
            idle.setSoTimeout(10_000);
            stalled.setSoTimeout(10_000);
            String count = "POST /api/count HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n";
            idle.getOutputStream().write(count.getBytes(StandardCharsets.US_ASCII));
            assertThat(readResponse(idle)).startsWith("HTTP/1.1 200");
            // Headers, then half of the body they announce, then nothing.
            stalled.getOutputStream()
                    .write(("POST /api/push HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                    + "Content-Length: 40\r\n\r\n{\"uid\":\"a\",")
                            .getBytes(StandardCharsets.US_ASCII));
            String timedOut = new String(stalled.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(timedOut).startsWith("HTTP/1.1 408").contains("connection: close");
            assertThat(timed.stats().get("http").toString()).contains("408=1");

            Thread.sleep(1500); // idle between requests past the timeout: still served
            idle.getOutputStream().write(count.getBytes(StandardCharsets.US_ASCII));
            assertThat(readResponse(idle)).startsWith("HTTP/1.1 200");
        } finally {
            timed.stop();
        }
    }

    /** The head and body of one response with a Content-Length, read from a raw socket. */
    private static String readResponse(java.net.Socket socket) throws IOException {
        java.io.InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        java.util.regex.Matcher length =
                java.util.regex.Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
        int body = length.find() ? Integer.parseInt(length.group(1)) : 0;
        return head + new String(in.readNBytes(body), StandardCharsets.US_ASCII);
    }

    // ---- API keys and where the client is

    @Test
    void withoutKeysLoopbackClientsNeedNone() throws Exception {
        HeraldServer open = TestServer.start();
        try {
            URI api = URI.create("http://127.0.0.1:" + open.httpAddress().getPort());
            assertThat(send(HttpRequest.newBuilder(api.resolve("/api/count"))
                                    .POST(BodyPublishers.noBody())
                                    .build())
                            .statusCode())
                    .isEqualTo(200);
            assertThat(send(HttpRequest.newBuilder(api.resolve("/stats")).build())
                            .statusCode())
                    .isEqualTo(200);
        } finally {
            open.stop();
        }
    }

    @Test
    void withoutKeysOtherClientsAreForbiddenTheApiButNotHealth() {
        InetAddress address = NonLoopback.address().orElse(null);
        assumeTrue(address != null, NonLoopback.NONE);
        HeraldServer open = TestServer.start("http.host", "0.0.0.0");
        try {
            InetSocketAddress target =
                    new InetSocketAddress(address, open.httpAddress().getPort());
            for (String request : List.of(
                    "POST /api/count HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
                    "GET /stats HTTP/1.1\r\nHost: h\r\n\r\n",
                    "POST /admin/reload HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
                    "POST /api/count HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer " + KEY
                            + "\r\nContent-Length: 0\r\n\r\n")) {
                Response response = rawFrom(address, target, request);
                assertThat(response.status()).as(request).isEqualTo(403);
                assertThat(errorCode(response)).isEqualTo("forbidden");
            }
            for (String path : List.of("/healthz", "/readyz", "/metrics", "/openapi.json")) {
                assertThat(rawFrom(address, target, "GET " + path + " HTTP/1.1\r\nHost: h\r\n\r\n")
                                .status())
                        .as(path)
                        .isEqualTo(200);
            }
            Response loopback =
                    raw(open.httpAddress(), "POST /api/count HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
            assertThat(loopback.status()).as("the same server from loopback").isEqualTo(200);
        } finally {
            open.stop();
        }
    }

    @Test
    void withKeysOtherClientsAreServedWithAKey() {
        InetAddress address = NonLoopback.address().orElse(null);
        assumeTrue(address != null, NonLoopback.NONE);
        HeraldServer keyed = TestServer.start("http.host", "0.0.0.0", "http.api-keys", KEY);
        try {
            InetSocketAddress target =
                    new InetSocketAddress(address, keyed.httpAddress().getPort());
            Response without = rawFrom(address, target, "GET /stats HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(without.status()).isEqualTo(401);
            assertThat(without.header("www-authenticate")).isEqualTo("Bearer");
            Response with = rawFrom(
                    address, target, "GET /stats HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer " + KEY + "\r\n\r\n");
            assertThat(with.status()).isEqualTo(200);
        } finally {
            keyed.stop();
        }
    }

    // ---- body limits, Expect, chunked bodies

    @Test
    void expectContinueWithATooLargeBodyIs413WithoutContinueThenClosed() throws Exception {
        try (RawHttpClient client = RawHttpClient.connect(server.httpAddress())) {
            client.write(postHead("/api/push", LIMIT + 1) + "Expect: 100-continue\r\n\r\n");
            Response refused = client.read();

            assertThat(refused.status()).as("no 100 Continue first").isEqualTo(413);
            assertThat(refused.header("content-type")).isEqualTo("application/json; charset=utf-8");
            assertThat(errorCode(refused)).isEqualTo("too_large");
            // Whether the client sends the body now or not, what follows cannot be framed.
            assertThat(refused.header("connection")).isEqualTo("close");
            assertThat(client.isClosedByServer()).isTrue();
        }
    }

    @Test
    void expectContinueWithinTheLimitGets100ThenTheAnswer() throws Exception {
        byte[] body = "{\"group\":\"room\"}".getBytes(StandardCharsets.UTF_8);
        try (RawHttpClient client = RawHttpClient.connect(server.httpAddress())) {
            client.write(postHead("/api/count", body.length) + "Expect: 100-continue\r\n\r\n");
            assertThat(client.read().status()).isEqualTo(100);

            client.write(body);
            Response answer = client.read();
            assertThat(answer.status()).isEqualTo(200);
            assertThat(JSON.readTree(answer.body()).get("group").asText()).isEqualTo("room");
        }
    }

    @Test
    void anExpectationOtherThanContinueIs417ThenClosed() {
        try (RawHttpClient client = RawHttpClient.connect(server.httpAddress())) {
            client.write(postHead("/api/count", 2) + "Expect: 200-ok\r\n\r\n");
            Response refused = client.read();

            assertThat(refused.status()).isEqualTo(417);
            assertThat(errorCode(refused)).isEqualTo("expectation_failed");
            assertThat(refused.header("connection")).isEqualTo("close");
            assertThat(client.isClosedByServer()).isTrue();
        }
    }

    @Test
    void aPathThatDoesNotDecodeIs400AndTheConnectionStaysUsable() {
        try (RawHttpClient client = RawHttpClient.connect(server.httpAddress())) {
            client.write(postHead("/api/%zz", 2) + "\r\n{}");
            Response refused = client.read();
            assertThat(refused.status()).isEqualTo(400);
            assertThat(errorCode(refused)).isEqualTo("bad_request");

            client.write(postHead("/api/count", 2) + "\r\n{}");
            assertThat(client.read().status()).isEqualTo(200);
        }
    }

    @Test
    void aTooLargeBodyIsReadAndDiscardedAndTheConnectionStaysUsable() throws Exception {
        try (RawHttpClient client = RawHttpClient.connect(server.httpAddress())) {
            client.write(postHead("/api/push", 10 * LIMIT) + "\r\n" + "x".repeat(10 * LIMIT));
            Response refused = client.read();
            assertThat(refused.status()).isEqualTo(413);
            assertThat(errorCode(refused)).isEqualTo("too_large");

            client.write(postHead("/api/count", 2) + "\r\n{}");
            assertThat(client.read().status()).isEqualTo(200);
        }
    }

    @Test
    void aChunkedBodyThatGrowsOverTheLimitIs413() throws Exception {
        String chunk = "x".repeat(1000);
        try (RawHttpClient client = RawHttpClient.connect(server.httpAddress())) {
            client.write(chunkedHead("/api/push"));
            for (int i = 0; i < 10; i++) {
                client.write(Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
            }
            client.write("0\r\n\r\n");
            Response refused = client.read();
            assertThat(refused.status()).isEqualTo(413);
            assertThat(errorCode(refused)).isEqualTo("too_large");

            client.write(postHead("/api/count", 2) + "\r\n{}");
            assertThat(client.read().status()).as("the connection stays usable").isEqualTo(200);
        }
    }

    @Test
    void aChunkedBodyWithinTheLimitIsOneBody() throws Exception {
        try (RawHttpClient client = RawHttpClient.connect(server.httpAddress())) {
            client.write(chunkedHead("/api/count") + "5\r\n{\"gro\r\n" + "b\r\nup\":\"room\"}\r\n" + "0\r\n\r\n");
            Response answer = client.read();

            assertThat(answer.status()).isEqualTo(200);
            assertThat(JSON.readTree(answer.body()).get("group").asText()).isEqualTo("room");
        }
    }

    // ---- HEAD, malformed requests

    @Test
    void headAnswersTheHeadersOfGetWithoutTheBody() throws Exception {
        try (RawHttpClient client = RawHttpClient.connect(server.httpAddress())) {
            client.write("GET /openapi.json HTTP/1.1\r\nHost: h\r\n\r\n");
            Response get = client.read();
            client.write("HEAD /openapi.json HTTP/1.1\r\nHost: h\r\n\r\n" + "HEAD /stats HTTP/1.1\r\nHost: h\r\n\r\n"
                    + "GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n");
            Response head = client.readHead();
            Response unauthorized = client.readHead();
            Response after = client.read();

            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-length")).isEqualTo(String.valueOf(get.body().length));
            assertThat(head.header("content-type")).isEqualTo(get.header("content-type"));
            assertThat(unauthorized.status()).isEqualTo(401);
            assertThat(after.bodyText())
                    .as("no body bytes came after the HEAD answers")
                    .isEqualTo("ok\n");
        }
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                argumentSet("not HTTP", "HELLO\r\n\r\n", 400, "bad_request"),
                argumentSet(
                        "Content-Length not a number",
                        "POST /api/count HTTP/1.1\r\nHost: h\r\nContent-Length: x\r\n\r\n",
                        400,
                        "bad_request"),
                argumentSet(
                        "chunk size not hex", chunkedHead("/api/count") + "zz\r\n{}\r\n0\r\n\r\n", 400, "bad_request"),
                argumentSet(
                        "request line over 4 KiB",
                        "GET /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: h\r\n\r\n",
                        414,
                        "uri_too_long"),
                argumentSet(
                        "headers over 8 KiB",
                        "GET /healthz HTTP/1.1\r\nHost: h\r\nX-Big: " + "a".repeat(9000) + "\r\n\r\n",
                        431,
                        "headers_too_large"));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void malformedRequestsAreAnsweredThenTheConnectionIsClosed(String request, int status, String code)
            throws Exception {
        try (RawHttpClient client = RawHttpClient.connect(server.httpAddress())) {
            client.write(request);
            Response response = client.read();

            assertThat(response.status()).isEqualTo(status);
            assertThat(errorCode(response)).isEqualTo(code);
            assertThat(response.header("connection")).isEqualTo("close");
            assertThat(client.isClosedByServer()).isTrue();
        }
    }

    // ---- keep-alive, HTTP/1.0, pipelining

    @Test
    void oneConnectionServesRequestAfterRequest() throws Exception {
        try (RawHttpClient client = RawHttpClient.connect(server.httpAddress())) {
            for (int i = 0; i < 5; i++) {
                client.write(postHead("/api/count", 0) + "\r\n");
                Response response = client.read();
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.header("connection")).isNull();
            }
        }
    }

    @Test
    void connectionCloseIsAnsweredThenClosed() {
        try (RawHttpClient client = RawHttpClient.connect(server.httpAddress())) {
            client.write("GET /healthz HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
            Response response = client.read();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("connection")).isEqualTo("close");
            assertThat(client.isClosedByServer()).isTrue();
        }
    }

    @Test
    void http10IsAnsweredAndClosedUnlessItAsksForKeepAlive() {
        try (RawHttpClient client = RawHttpClient.connect(server.httpAddress())) {
            client.write("GET /healthz HTTP/1.0\r\n\r\n");
            Response response = client.read();

            assertThat(response.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(response.bodyText()).isEqualTo("ok\n");
            assertThat(client.isClosedByServer()).isTrue();
        }
        try (RawHttpClient client = RawHttpClient.connect(server.httpAddress())) {
            for (int i = 0; i < 2; i++) {
                client.write("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
                Response response = client.read();
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.header("connection")).isEqualTo("keep-alive");
            }
        }
    }

    @Test
    void pipelinedRequestsInOneWriteAreAnsweredInOrder() throws Exception {
        String group = "pipelined";
        try (RawHttpClient client = RawHttpClient.connect(server.httpAddress())) {
            client.write(String.join(
                    "",
                    "GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n",
                    post("/api/join", "{\"group\":\"" + group + "\",\"uids\":[\"a\",\"b\"]}"),
                    post("/api/count", "{\"group\":\"" + group + "\"}"),
                    "GET /nowhere HTTP/1.1\r\nHost: h\r\n\r\n",
                    post("/api/push", "{}"),
                    "HEAD /healthz HTTP/1.1\r\nHost: h\r\n\r\n",
                    post("/api/leave", "{\"group\":\"" + group + "\",\"uid\":\"a\"}"),
                    post("/api/members", "{\"group\":\"" + group + "\"}"),
                    "GET /readyz HTTP/1.1\r\nHost: h\r\n\r\n"));

            assertThat(client.read().bodyText()).isEqualTo("ok\n");
            assertThat(client.read().bodyText()).isEqualTo("{\"group\":\"pipelined\",\"added\":2}");
            assertThat(client.read().bodyText()).isEqualTo("{\"group\":\"pipelined\",\"members\":2,\"online\":0}");
            assertThat(client.read().status()).isEqualTo(404);
            Response refused = client.read();
            assertThat(refused.status()).isEqualTo(400);
            assertThat(errorCode(refused)).isEqualTo("missing_field");
            Response head = client.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-length")).isEqualTo("3");
            assertThat(client.read().bodyText()).isEqualTo("{\"group\":\"pipelined\",\"removed\":1}");
            assertThat(client.read().bodyText())
                    .isEqualTo("{\"group\":\"pipelined\",\"members\":[\"b\"],\"next\":null}");
            assertThat(client.read().bodyText()).isEqualTo("ready\n");
        }
    }

    @Test
    void requestsPipelinedAfterConnectionCloseAreNotProcessed() throws Exception {
        try (RawHttpClient client = RawHttpClient.connect(server.httpAddress())) {
            client.write("GET /healthz HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
                    + post("/api/join", "{\"group\":\"after-close\",\"uid\":\"a\"}"));

            assertThat(client.read().status()).isEqualTo(200);
            assertThat(client.isClosedByServer()).isTrue();
        }
        HttpResponse<String> count =
                send(post("/api/count", "application/json", "Bearer " + KEY, "{\"group\":\"after-close\"}"));
        assertThat(count.body()).isEqualTo("{\"group\":\"after-close\",\"members\":0,\"online\":0}");
    }

    @Test
    @Timeout(120)
    void aClientThatPipelinesWithoutReadingIsNotReadUntilItCatchesUp() throws Exception {
        // The answers of half the requests must be more than the kernel can hold of them (~860 bytes each).
        int total = (int) Math.max(20_000, 4 * SocketBuffers.unreadCapacity() / 800);
        String request = "GET /stats HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer " + KEY + "\r\n\r\n";
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (RawHttpClient slow = RawHttpClient.connect(server.httpAddress())) {
            long before = httpRequests();
            Future<?> writing = writer.submit(() -> {
                StringBuilder batch = new StringBuilder();
                for (int i = 0; i < total; i++) {
                    batch.append(request);
                    if (batch.length() > 8192 || i == total - 1) {
                        slow.write(batch.toString());
                        batch.setLength(0);
                    }
                }
                return null;
            });

            // The answers (~1 KB each) fill the socket buffers and the channel's outbound buffer; then the
            // server stops reading: the count of requests read settles well below the total.
            AtomicLong lastSeen = new AtomicLong(-1);
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(300))
                    .until(() -> {
                        long read = httpRequests() - before;
                        return read > 0 && read == lastSeen.getAndSet(read);
                    });
            assertThat(httpRequests() - before)
                    .as("requests read while no answer is")
                    .isLessThan(total / 2);

            long started = System.nanoTime();
            assertThat(send(HttpRequest.newBuilder(uri("/healthz")).build()).statusCode())
                    .isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - started))
                    .as("others are served meanwhile")
                    .isLessThan(Duration.ofSeconds(5));

            for (int i = 0; i < total; i++) {
                Response response = slow.read();
                if (response.status() != 200 || response.body().length == 0) {
                    throw new AssertionError("answer " + i + ": " + response.statusLine());
                }
            }
            writing.get(10, TimeUnit.SECONDS);
        } finally {
            writer.shutdownNow();
            assertThat(writer.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    // ---- helpers

    private static long httpRequests() {
        @SuppressWarnings("unchecked")
        Map<String, Object> http = (Map<String, Object>) server.stats().get("http");
        return (Long) http.get("requests");
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.httpAddress().getPort() + path);
    }

    private static HttpRequest get(String path, String authorization) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        return builder.GET().build();
    }

    private static HttpRequest post(String path, String contentType, String authorization, String body) {
        return post(path, contentType, authorization, body.getBytes(StandardCharsets.UTF_8));
    }

    private static HttpRequest post(String path, String contentType, String authorization, byte[] body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10));
        if (contentType != null) {
            builder.header("Content-Type", contentType);
        }
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        return builder.POST(body.length == 0 ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(body))
                .build();
    }

    /** A raw keyed {@code POST} of a JSON body. */
    private static String post(String path, String json) {
        return postHead(path, json.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + json;
    }

    /** A raw keyed {@code POST}'s request line and headers, without the blank line that ends them. */
    private static String postHead(String path, int contentLength) {
        return "POST " + path + " HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer " + KEY
                + "\r\nContent-Type: application/json\r\nContent-Length: " + contentLength + "\r\n";
    }

    private static String chunkedHead(String path) {
        return "POST " + path + " HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer " + KEY
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    }

    /** A valid push of exactly {@code size} bytes. */
    private static byte[] pushOfSize(int size) {
        String empty = "{\"uid\":\"nobody\",\"data\":\"\"}";
        return ("{\"uid\":\"nobody\",\"data\":\"" + "x".repeat(size - empty.length()) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return HTTP.send(request, BodyHandlers.ofString());
    }

    private static Response raw(InetSocketAddress target, String request) {
        try (RawHttpClient client = RawHttpClient.connect(target)) {
            return client.write(request).read();
        }
    }

    private static Response rawFrom(InetAddress local, InetSocketAddress target, String request) {
        try (RawHttpClient client = RawHttpClient.connect(target, new InetSocketAddress(local, 0))) {
            return client.write(request).read();
        }
    }

    static String errorCode(Response response) {
        try {
            return JSON.readTree(response.body()).get("error").get("code").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
