package dev.herald.server;

import static dev.herald.server.WebSocketTestSupport.assertReceivesPush;
import static dev.herald.server.WebSocketTestSupport.assertServesHealthyClient;
import static dev.herald.server.WebSocketTestSupport.bindRaw;
import static dev.herald.server.WebSocketTestSupport.completeServerClose;
import static dev.herald.server.WebSocketTestSupport.serverCloses;
import static dev.herald.testkit.RawWebSocket.BINARY;
import static dev.herald.testkit.RawWebSocket.CONTINUATION;
import static dev.herald.testkit.RawWebSocket.PING;
import static dev.herald.testkit.RawWebSocket.PONG;
import static dev.herald.testkit.RawWebSocket.TEXT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.herald.testkit.RawWebSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The seed's bind: the first data message of a connection is its uid. Fragmented and binary uids, the
 * byte limits of {@code websocket.max-uid-bytes} (128), refused uids (4500, 1007) and the bind timeout
 * (4001) for connections that never send one.
 */
class WebSocketBindIT {

    private static final String E_ACUTE = "\u00e9";
    private static final String EURO = "\u20ac";
    private static final String GRINNING = "\ud83d\ude00";

    /**
     * Short, but what a client that binds at once (a test's, a healthy bystander) must beat from its TCP
     * connect through its handshake to its uid frame, on a busy machine too. Sweeps run every 250 ms.
     */
    private static final Duration BIND_TIMEOUT = Duration.ofSeconds(1);

    private HeraldServer server;

    private void start(String... config) {
        server = TestServer.start(config);
    }

    @BeforeAll
    static void warmUp() {
        WebSocketTestSupport.warmUp();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void uidInThreeFragmentsWithAPingBetweenThemBinds() {
        start();
        try (RawWebSocket client = RawWebSocket.connect(server.websocketAddress())) {
            client.sendFrame(false, TEXT, utf8("frag"));
            client.sendFrame(true, PING, utf8("between fragments"));
            RawWebSocket.Frame pong = client.readFrame();
            assertThat(pong.opcode()).isEqualTo(PONG);
            assertThat(pong.text()).isEqualTo("between fragments");
            client.sendFrame(false, CONTINUATION, utf8("mented-"));
            client.sendFrame(true, CONTINUATION, utf8("uid"));

            await().until(() -> server.hub().isOnline("fragmented-uid"));
            assertThat(server.hub().isOnline("frag")).isFalse();
            assertReceivesPush(server, client, "fragmented-uid");
        }
    }

    @Test
    void uidSplitInsideAMultibyteCharacterBinds() {
        start();
        String uid = "price-" + EURO;
        byte[] bytes = utf8(uid);
        try (RawWebSocket client = RawWebSocket.connect(server.websocketAddress())) {
            client.sendFrame(false, TEXT, Arrays.copyOfRange(bytes, 0, bytes.length - 2));
            client.sendFrame(true, CONTINUATION, Arrays.copyOfRange(bytes, bytes.length - 2, bytes.length));

            await().until(() -> server.hub().isOnline(uid));
            assertReceivesPush(server, client, uid);
        }
    }

    static Stream<Arguments> validUids() {
        return Stream.of(
                arguments(named("1 byte", "x")),
                arguments(named("128 ASCII bytes", "u".repeat(128))),
                arguments(named("64 two-byte characters (128 bytes)", E_ACUTE.repeat(64))),
                arguments(named("42 three-byte characters and 2 ASCII (128 bytes)", EURO.repeat(42) + "ab")),
                arguments(named("32 four-byte characters (128 bytes)", GRINNING.repeat(32))),
                arguments(named("spaces kept verbatim", " padded uid ")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validUids")
    void uidWithinTheByteLimitBinds(String uid) {
        start();
        try (RawWebSocket client = bindRaw(server, uid)) {
            assertReceivesPush(server, client, uid);
        }
        assertThat(serverCloses(server, "4500 invalid uid")).isZero();
    }

    static Stream<Arguments> invalidUids() {
        return Stream.of(
                arguments(named("empty", ""), "empty uid"),
                arguments(named("129 ASCII bytes", "u".repeat(129)), "uid longer than 128 bytes"),
                arguments(named("65 two-byte characters (130 bytes)", E_ACUTE.repeat(65)), "uid longer than 128 bytes"),
                arguments(named("43 three-byte characters (129 bytes)", EURO.repeat(43)), "uid longer than 128 bytes"),
                arguments(
                        named("32 four-byte characters and 1 ASCII (129 bytes)", GRINNING.repeat(32) + "a"),
                        "uid longer than 128 bytes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidUids")
    void invalidUidClosesWith4500(String uid, String reason) {
        start();
        try (RawWebSocket client = RawWebSocket.connect(server.websocketAddress())) {
            client.sendText(uid);

            RawWebSocket.Frame close = completeServerClose(client);
            assertThat(close.closeCode()).isEqualTo(4500);
            assertThat(close.closeReason()).isEqualTo(reason);
        }
        assertThat(serverCloses(server, "4500 invalid uid")).isEqualTo(1);
        assertThat(server.hub().uidCount()).isZero();
        assertServesHealthyClient(server);
    }

    @Test
    void binaryFirstFrameWithValidUtf8Binds() {
        start();
        String uid = "binary-" + E_ACUTE;
        try (RawWebSocket client = RawWebSocket.connect(server.websocketAddress())) {
            client.sendFrame(true, BINARY, utf8(uid));

            await().until(() -> server.hub().isOnline(uid));
            assertReceivesPush(server, client, uid);
        }
    }

    @Test
    void binaryFirstFrameWithInvalidUtf8ClosesWith1007() {
        start();
        try (RawWebSocket client = RawWebSocket.connect(server.websocketAddress())) {
            client.sendFrame(true, BINARY, new byte[] {'u', (byte) 0xFF, 'd'});

            RawWebSocket.Frame close = completeServerClose(client);
            assertThat(close.closeCode()).isEqualTo(1007);
        }
        assertThat(serverCloses(server, "1007 invalid UTF-8")).isEqualTo(1);
        assertThat(server.hub().uidCount()).isZero();
        assertServesHealthyClient(server);
    }

    @Test
    void connectionWithoutAUidClosesWith4001AfterTheBindTimeout() {
        start("websocket.bind-timeout", BIND_TIMEOUT.toMillis() + "ms");
        long started = System.nanoTime();
        try (RawWebSocket client = RawWebSocket.connect(server.websocketAddress())) {
            RawWebSocket.Frame close = completeServerClose(client);

            assertThat(close.closeCode()).isEqualTo(4001);
            assertThat(close.closeReason()).isEqualTo("bind timeout");
            // The sweeper's clock is read once a sweep: the timeout may end up to one sweep early.
            assertThat(Duration.ofNanos(System.nanoTime() - started))
                    .isGreaterThan(BIND_TIMEOUT.minus(BIND_TIMEOUT.dividedBy(4)).minusMillis(50));
        }
        assertThat(serverCloses(server, "4001 bind timeout")).isEqualTo(1);
        assertServesHealthyClient(server);
    }

    @Test
    void pingsDoNotCountAsABind() {
        start("websocket.bind-timeout", BIND_TIMEOUT.toMillis() + "ms");
        try (RawWebSocket client = RawWebSocket.connect(server.websocketAddress())) {
            client.sendFrame(true, PING, utf8("are you there"));
            assertThat(client.readFrame().opcode()).isEqualTo(PONG);

            assertThat(completeServerClose(client).closeCode()).isEqualTo(4001);
        }
    }

    @Test
    void boundConnectionOutlivesTheBindTimeout() {
        start("websocket.bind-timeout", BIND_TIMEOUT.toMillis() + "ms");
        try (RawWebSocket client = bindRaw(server, "bound-in-time")) {
            await().during(BIND_TIMEOUT.multipliedBy(2))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> server.hub().isOnline("bound-in-time"));
            assertReceivesPush(server, client, "bound-in-time");
        }
        assertThat(serverCloses(server, "4001 bind timeout")).isZero();
    }

    @Test
    void tcpConnectionThatNeverSendsARequestIsClosed() throws IOException {
        start("websocket.bind-timeout", BIND_TIMEOUT.toMillis() + "ms");
        assertClosedWithoutAResponse(new byte[0]);
        assertServesHealthyClient(server);
    }

    @Test
    void tcpConnectionThatNeverFinishesItsRequestIsClosed() throws IOException {
        start("websocket.bind-timeout", BIND_TIMEOUT.toMillis() + "ms");
        assertClosedWithoutAResponse(utf8("GET / HTTP/1.1\r\nHost: herald\r\nUpgrade: websocket\r\n"));
    }

    /** Connects, writes {@code sent}, and expects the server to close the connection without a byte. */
    private void assertClosedWithoutAResponse(byte[] sent) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(server.websocketAddress(), 10_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(sent);
            InputStream in = socket.getInputStream();
            int read;
            try {
                read = in.read();
            } catch (SocketException reset) {
                read = -1;
            }
            assertThat(read).as("first byte from the server").isEqualTo(-1);
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
