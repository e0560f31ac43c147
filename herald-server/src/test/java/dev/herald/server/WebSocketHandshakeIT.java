package dev.herald.server;

import static dev.herald.server.WebSocketTestSupport.assertReceivesPush;
import static dev.herald.server.WebSocketTestSupport.assertServesHealthyClient;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.herald.testkit.RawWebSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The opening handshake (RFC 6455 §4.2) over raw sockets: which requests are upgraded, on which paths,
 * and how every other request is refused (status, headers, and the connection closed afterwards).
 */
class WebSocketHandshakeIT {

    /** The sample nonce of RFC 6455 §1.3. */
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private HeraldServer server;

    @BeforeEach
    void start() {
        server = TestServer.start();
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    /** A parsed HTTP response: status, headers with lower-case names, body. */
    private record Response(int status, Map<String, String> headers, String body) {}

    /** What a refused request must get back. */
    private record Refusal(String request, int status, String header, String headerValue) {}

    static Stream<Arguments> refusals() {
        return Stream.of(
                refusal("no Sec-WebSocket-Key", handshake("GET / HTTP/1.1", "Sec-WebSocket-Key", null), 400),
                refusal(
                        "Sec-WebSocket-Key of 5 bytes",
                        handshake("GET / HTTP/1.1", "Sec-WebSocket-Key", "c2hvcnQ="),
                        400),
                refusal(
                        "Sec-WebSocket-Key of 24 characters that is not base64",
                        handshake("GET / HTTP/1.1", "Sec-WebSocket-Key", "!!!!!!!!!!!!!!!!!!!!!!=="),
                        400),
                refusal(
                        "Sec-WebSocket-Key of 17 bytes",
                        handshake("GET / HTTP/1.1", "Sec-WebSocket-Key", "AAAAAAAAAAAAAAAAAAAAAAA="),
                        400),
                refusal("no Connection: Upgrade", handshake("GET / HTTP/1.1", "Connection", null), 400),
                refusal(
                        "Sec-WebSocket-Version 8",
                        handshake("GET / HTTP/1.1", "Sec-WebSocket-Version", "8"),
                        426,
                        "sec-websocket-version",
                        "13"),
                refusal(
                        "no Sec-WebSocket-Version",
                        handshake("GET / HTTP/1.1", "Sec-WebSocket-Version", null),
                        426,
                        "sec-websocket-version",
                        "13"),
                refusal(
                        "Sec-WebSocket-Version 14",
                        handshake("GET / HTTP/1.1", "Sec-WebSocket-Version", "14"),
                        426,
                        "sec-websocket-version",
                        "13"),
                refusal(
                        "plain GET without Upgrade",
                        "GET / HTTP/1.1\r\nHost: herald\r\nAccept: text/html\r\n\r\n",
                        426,
                        "upgrade",
                        "websocket"),
                refusal("POST", handshake("POST / HTTP/1.1"), 405, "allow", "GET"),
                refusal("HEAD", handshake("HEAD / HTTP/1.1"), 405, "allow", "GET"),
                refusal("absolute-form request target", handshake("GET http://herald/ HTTP/1.1"), 400),
                refusal("malformed request line", "HELLO\r\n\r\n", 400),
                refusal("request line over 4 KiB", handshake("GET /" + "a".repeat(5000) + " HTTP/1.1"), 414),
                refusal("headers over 8 KiB", handshake("GET / HTTP/1.1", "X-Padding", "p".repeat(9000)), 431));
    }

    private static Arguments refusal(String name, String request, int status) {
        return refusal(name, request, status, null, null);
    }

    private static Arguments refusal(String name, String request, int status, String header, String value) {
        return arguments(named(name, new Refusal(request, status, header, value)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusesWithStatusAndClosesTheConnection(Refusal refusal) {
        Response response = exchange(refusal.request(), true);

        assertThat(response.status()).isEqualTo(refusal.status());
        assertThat(response.headers()).doesNotContainKey("sec-websocket-accept");
        assertThat(response.headers()).containsEntry("connection", "close");
        if (refusal.header() != null) {
            assertThat(response.headers()).containsEntry(refusal.header(), refusal.headerValue());
        }
        // exchange() read up to the end of the stream: the server closed the connection.
        assertThat(server.hub().connectionCount()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/", "/ws", "/any/path?x=1"})
    void upgradesOnAnyPathAndTheConnectionBinds(String path) {
        try (RawWebSocket client = RawWebSocket.connect(server.websocketAddress(), path, Map.of())) {
            Map<String, String> headers = client.handshake().headers();
            assertThat(client.handshake().status()).isEqualTo(101);
            assertThat(headers.get("upgrade")).isEqualToIgnoringCase("websocket");
            assertThat(headers.get("connection")).isEqualToIgnoringCase("upgrade");
            assertThat(headers).containsEntry("sec-websocket-accept", accept(client.key()));
            assertThat(headers).doesNotContainKeys("sec-websocket-extensions", "sec-websocket-protocol");

            String uid = "path" + path.replaceAll("[^a-z0-9]", "-");
            client.sendText(uid);
            await().until(() -> server.hub().isOnline(uid));
            assertReceivesPush(server, client, uid);
        }
    }

    @Test
    void acceptsTheRfcSampleKeyWithTheRfcSampleAnswer() {
        Response response = exchange(handshake("GET /chat HTTP/1.1"), false);

        assertThat(response.status()).isEqualTo(101);
        assertThat(response.headers()).containsEntry("sec-websocket-accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    @Test
    void acceptsTokenListsAndAnyCaseInUpgradeAndConnection() {
        // Firefox sends "Connection: keep-alive, Upgrade"; header values are case-insensitive tokens.
        String request = handshake("GET / HTTP/1.1", "Connection", "keep-alive, Upgrade", "Upgrade", "WebSocket");

        Response response = exchange(request, false);

        assertThat(response.status()).isEqualTo(101);
        assertThat(response.headers()).containsEntry("sec-websocket-accept", accept(KEY));
    }

    @Test
    void selectsNoSubprotocolWhenOneIsRequested() {
        Response response = exchange(handshake("GET / HTTP/1.1", "Sec-WebSocket-Protocol", "chat, superchat"), false);

        assertThat(response.status()).isEqualTo(101);
        assertThat(response.headers()).doesNotContainKey("sec-websocket-protocol");
    }

    @Test
    void anOriginThatIsNotAllowedIsRefusedWith403AndCounted() {
        server.stop();
        server = TestServer.start("websocket.allowed-origins", "https://app.example.com, *.example.org");

        Response refused = exchange(handshake("GET / HTTP/1.1", "Origin", "https://evil.example.net"), true);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.body()).isEqualTo("origin not allowed\n");
        assertThat(exchange(handshake("GET / HTTP/1.1", "Origin", "https://example.org"), true)
                        .status())
                .as("the apex of a pattern")
                .isEqualTo(403);
        assertThat(exchange(handshake("GET / HTTP/1.1", "Origin", "https://app.example.com"), false)
                        .status())
                .isEqualTo(101);
        assertThat(exchange(handshake("GET / HTTP/1.1", "Origin", "http://chat.example.org:8080"), false)
                        .status())
                .isEqualTo(101);
        assertThat(exchange(handshake("GET / HTTP/1.1"), false).status())
                .as("no Origin: not a browser")
                .isEqualTo(101);
        assertThat(server.stats()).containsEntry("originsRefused", 2L);
        assertServesHealthyClient(server);
    }

    @Test
    void refusedRequestsLeaveOtherClientsServed() {
        assertThat(exchange(handshake("GET / HTTP/1.1", "Sec-WebSocket-Version", "8"), true)
                        .status())
                .isEqualTo(426);
        assertThat(exchange(handshake("POST / HTTP/1.1"), true).status()).isEqualTo(405);
        assertThat(exchange("HELLO\r\n\r\n", true).status()).isEqualTo(400);

        assertServesHealthyClient(server);
    }

    /**
     * A valid version-13 handshake request with {@code overrides} applied: name/value pairs, where a
     * {@code null} value removes the header.
     */
    private static String handshake(String requestLine, String... overrides) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Host", "herald");
        headers.put("Upgrade", "websocket");
        headers.put("Connection", "Upgrade");
        headers.put("Sec-WebSocket-Key", KEY);
        headers.put("Sec-WebSocket-Version", "13");
        for (int i = 0; i < overrides.length; i += 2) {
            if (overrides[i + 1] == null) {
                headers.remove(overrides[i]);
            } else {
                headers.put(overrides[i], overrides[i + 1]);
            }
        }
        StringBuilder request = new StringBuilder(requestLine).append("\r\n");
        headers.forEach(
                (name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        return request.append("\r\n").toString();
    }

    /**
     * Sends {@code request} on a new connection and reads the response head; with {@code untilEof}, also
     * the rest of the stream as the body, which only returns if the server closes the connection (reads
     * time out after 10 s).
     */
    private Response exchange(String request, boolean untilEof) {
        InetSocketAddress address = server.websocketAddress();
        try (Socket socket = new Socket()) {
            socket.connect(address, 10_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                assertThat(b).as("byte of the response head after " + head).isNotNegative();
                head.write(b);
            }
            String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(
                        lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
            String body = untilEof ? new String(in.readAllBytes(), StandardCharsets.UTF_8) : "";
            return new Response(status, headers, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String accept(String key) {
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-1").digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
