package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import dev.herald.testkit.HeraldV1Client;
import dev.herald.testkit.TextPortClient;
import dev.herald.testkit.WebSocketRecorder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input from clients against one real server with connect tokens on: malformed tokens, as a seed
 * page's first message and in a {@code herald.v1} hello, each closed with its documented code (README
 * "Close codes"); slowloris handshakes and a flood of silent TCP connections, closed by {@code
 * websocket.bind-timeout} and counted. Meanwhile a bound client on the same server gets every push a
 * backend sends through the Text port.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputIT {

    private static final String SECRET = "bad-input-secret-that-is-at-least-32-bytes";
    private static final String AUDIENCE = "herald-app";
    private static final String ISSUER = "https://issuer.example";
    private static final Duration BIND_TIMEOUT = Duration.ofSeconds(1);
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final String HANDSHAKE = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

    private HeraldServer server;
    private TextPortClient backend;
    private WebSocketRecorder watcher;
    private int pushed;

    @BeforeAll
    void start() {
        server = TestServer.start(
                "auth.hmac-secret", SECRET,
                "auth.audience", AUDIENCE,
                "auth.issuer", ISSUER,
                "websocket.bind-timeout", BIND_TIMEOUT.toMillis() + "ms");
        backend = TextPortClient.connect(server.textAddress());
        watcher = WebSocketRecorder.bind(TestServer.ws(server), token(claims("watcher")));
        await().until(() -> server.hub().isOnline("watcher"));
    }

    @AfterAll
    void stop() {
        watcher.close();
        backend.close();
        server.stop();
    }

    /** A claim set that the server accepts, for {@code sub}: the right audience and issuer, an hour to live. */
    private static String claims(String sub) {
        return "{\"sub\":\"" + sub + "\",\"aud\":\"" + AUDIENCE + "\",\"iss\":\"" + ISSUER + "\",\"exp\":"
                + Instant.now().plusSeconds(3600).getEpochSecond() + "}";
    }

    private static String b64(String text) {
        return B64.encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** An HS256 JWT of {@code claims}, signed with the server's secret. */
    private static String token(String claims) {
        return signed("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims, SECRET);
    }

    private static String signed(String header, String claims, String secret) {
        String input = b64(header) + "." + b64(claims);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return input + "." + B64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A claim set for {@code evil} with one claim replaced (or added). */
    private static String claimsWith(String claim, String json) {
        String base = claims("evil");
        return base.contains("\"" + claim + "\"")
                ? base.replaceFirst("\"" + claim + "\":(\"[^\"]*\"|[0-9]+)", "\"" + claim + "\":" + json)
                : base.substring(0, base.length() - 1) + ",\"" + claim + "\":" + json + "}";
    }

    static Stream<Arguments> badTokens() {
        String good = token(claims("evil"));
        long past = Instant.now().minusSeconds(3600).getEpochSecond();
        return Stream.of(
                argumentSet("bad signature", good.substring(0, good.lastIndexOf('.') + 1) + "AAAA", 4503, 4503),
                argumentSet(
                        "signed with another secret",
                        signed("{\"alg\":\"HS256\"}", claims("evil"), "another-secret-that-is-at-least-32-bytes"),
                        4503,
                        4503),
                argumentSet("alg none", b64("{\"alg\":\"none\"}") + "." + b64(claims("evil")) + ".", 4503, 4503),
                argumentSet(
                        "alg none with a signature",
                        b64("{\"alg\":\"none\"}") + "." + b64(claims("evil")) + ".AAAA",
                        4503,
                        4503),
                argumentSet("expired", token(claimsWith("exp", Long.toString(past))), 4004, 4004),
                argumentSet("wrong audience", token(claimsWith("aud", "\"another-app\"")), 4503, 4503),
                argumentSet("wrong issuer", token(claimsWith("iss", "\"https://evil.example\"")), 4503, 4503),
                argumentSet("oversized", token(claimsWith("pad", "\"" + "x".repeat(9000) + "\"")), 4503, 4503),
                argumentSet("claims not base64", "eyJhbGciOiJIUzI1NiJ9.%%%not*base64%%%.c2ln", 4504, 4503),
                argumentSet(
                        "claims not JSON", b64("{\"alg\":\"HS256\"}") + "." + b64("{not json") + ".c2ln", 4503, 4503),
                argumentSet("header not JSON", "eyJub3Q." + b64(claims("evil")) + ".c2ln", 4503, 4503),
                argumentSet("sub not a string", token(claimsWith("sub", "42")), 4503, 4503),
                argumentSet("sub an object", token(claimsWith("sub", "{\"uid\":\"evil\"}")), 4503, 4503),
                argumentSet("no sub", token(claims("evil").replace("\"sub\":\"evil\",", "")), 4503, 4503),
                argumentSet("groups not an array", token(claimsWith("groups", "\"room-1\"")), 4503, 4503),
                argumentSet("groups of numbers", token(claimsWith("groups", "[1,2]")), 4503, 4503),
                argumentSet("info not an object", token(claimsWith("info", "\"Mia\"")), 4503, 4503));
    }

    @ParameterizedTest
    @MethodSource("badTokens")
    void aBadTokenAsASeedPagesFirstMessageIsClosedWithItsCode(String token, int seedCode, int helloCode) {
        try (WebSocketRecorder page = WebSocketRecorder.bind(TestServer.ws(server), token)) {
            assertThat(page.awaitClose().code()).isEqualTo(seedCode);
        }
        assertThat(server.hub().isOnline("evil")).isFalse();
        assertWatcherGetsPushes(1);
    }

    @ParameterizedTest
    @MethodSource("badTokens")
    void aBadTokenInAHelloIsClosedWithItsCode(String token, int seedCode, int helloCode) {
        try (HeraldV1Client client = HeraldV1Client.connect(TestServer.ws(server), Map.of())) {
            client.send("{\"t\":\"hello\",\"token\":\"" + token + "\",\"streams\":{}}");
            assertThat(client.awaitClose().code()).isEqualTo(helloCode);
        }
        assertThat(server.hub().isOnline("evil")).isFalse();
        assertWatcherGetsPushes(1);
    }

    @Test
    void slowlorisHandshakesAreClosedByTheBindTimeoutAndCounted() throws Exception {
        long before = bindTimeouts();
        ExecutorService clients = Executors.newFixedThreadPool(6);
        try {
            List<Future<Duration>> attacks = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                attacks.add(clients.submit(() -> dribble(HANDSHAKE.getBytes(StandardCharsets.US_ASCII))));
            }
            for (int i = 0; i < 3; i++) {
                attacks.add(clients.submit(() -> stallMidHeaders()));
            }
            // the watcher is served while the attack lasts
            int during = 0;
            while (attacks.stream().anyMatch(attack -> !attack.isDone())) {
                assertWatcherGetsPushes(1);
                during++;
                Thread.sleep(50); // pacing of the pushes, not a wait for a result
            }
            for (Future<Duration> attack : attacks) {
                assertThat(attack.get())
                        .as("closed after the bind timeout, long before the request was sent whole")
                        .isBetween(BIND_TIMEOUT.minus(BIND_TIMEOUT.dividedBy(4)), BIND_TIMEOUT.plusSeconds(3));
            }
            assertThat(during).isPositive();
        } finally {
            clients.shutdownNow();
        }
        await().untilAsserted(() -> assertThat(bindTimeouts() - before).isEqualTo(6));
        assertWatcherGetsPushes(3);
    }

    @Test
    void aFloodOfSilentConnectionsIsClosedByTheBindTimeoutAndCounted() throws Exception {
        long before = bindTimeouts();
        int flood = 300;
        List<Socket> sockets = new ArrayList<>();
        try {
            long started = System.nanoTime();
            for (int i = 0; i < flood; i++) {
                Socket socket = new Socket();
                socket.connect(server.websocketAddress(), 10_000);
                sockets.add(socket);
                if (i % 2 == 1) {
                    socket.getOutputStream()
                            .write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
                }
            }
            assertWatcherGetsPushes(20);
            for (Socket socket : sockets) {
                socket.setSoTimeout(10_000);
                assertThat(readOrEof(socket.getInputStream()))
                        .as("no byte from the server")
                        .isEqualTo(-1);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(BIND_TIMEOUT.plusSeconds(10));
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
        await().untilAsserted(() -> assertThat(bindTimeouts() - before).isEqualTo(flood));
        assertWatcherGetsPushes(20);
        WebSocketRecorder late = WebSocketRecorder.bind(TestServer.ws(server), token(claims("late")));
        await().until(() -> server.hub().isOnline("late"));
        late.close();
    }

    /** Sends {@code request} one byte per 200 ms until the server closes; how long that took. */
    private Duration dribble(byte[] request) throws IOException, InterruptedException {
        long started = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(server.websocketAddress(), 10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            socket.setSoTimeout(1);
            for (byte b : request) {
                try {
                    out.write(b);
                    out.flush();
                } catch (SocketException closed) {
                    return Duration.ofNanos(System.nanoTime() - started);
                }
                long wake = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
                while (System.nanoTime() < wake) {
                    try {
                        if (in.read() < 0) {
                            return Duration.ofNanos(System.nanoTime() - started);
                        }
                        throw new AssertionError("the server answered a request it never got whole");
                    } catch (SocketTimeoutException quiet) {
                        Thread.sleep(10);
                    } catch (SocketException reset) {
                        return Duration.ofNanos(System.nanoTime() - started);
                    }
                }
            }
            throw new AssertionError("the whole request went out one byte at a time");
        }
    }

    /** Sends half of the request's headers, then nothing; how long until the server closed. */
    private Duration stallMidHeaders() throws IOException {
        long started = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(server.websocketAddress(), 10_000);
            socket.getOutputStream()
                    .write(HANDSHAKE.substring(0, HANDSHAKE.length() / 2).getBytes(StandardCharsets.US_ASCII));
            socket.setSoTimeout(10_000);
            assertThat(readOrEof(socket.getInputStream())).isEqualTo(-1);
            return Duration.ofNanos(System.nanoTime() - started);
        }
    }

    private static int readOrEof(InputStream in) throws IOException {
        try {
            return in.read();
        } catch (SocketException reset) {
            return -1;
        }
    }

    private long bindTimeouts() {
        Object count = ((Map<?, ?>) server.stats().get("serverCloses")).get("4001 bind timeout");
        return count == null ? 0 : (Long) count;
    }

    /** Pushes {@code count} numbered messages to the watcher through the Text port; it gets each, in order. */
    private void assertWatcherGetsPushes(int count) {
        for (int i = 0; i < count; i++) {
            String line = "{\"uid\":\"watcher\",\"n\":" + (++pushed) + "}";
            assertThat(backend.request(line)).isEqualTo("ok");
            assertThat(watcher.awaitMessage()).isEqualTo(line);
        }
    }
}
