package dev.herald.server;

import static dev.herald.server.WebSocketTestSupport.bind;
import static dev.herald.server.WebSocketTestSupport.bindRaw;
import static dev.herald.server.WebSocketTestSupport.completeServerClose;
import static dev.herald.server.WebSocketTestSupport.message;
import static dev.herald.server.WebSocketTestSupport.push;
import static dev.herald.server.WebSocketTestSupport.serverCloses;
import static dev.herald.testkit.RawWebSocket.CLOSE;
import static dev.herald.testkit.RawWebSocket.PING;
import static dev.herald.testkit.RawWebSocket.PONG;
import static dev.herald.testkit.RawWebSocket.TEXT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testkit.RawWebSocket;
import dev.herald.testkit.WebSocketRecorder;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Keepalive by the session sweeper: a bound connection silent for {@code websocket.ping-interval}
 * (200 ms here) is pinged, and closed with 4002 if nothing arrives within
 * {@code websocket.pong-timeout} (2 s here); clients that answer stay connected.
 *
 * <p>The pong timeout is what a client that answers may take, on a busy machine too, so it is long;
 * the tests do not need to outlast it: the server pings again only once the previous ping was
 * answered, so a run of pings shows that each answer counted.
 */
class KeepaliveIT {

    private static final Duration PING_INTERVAL = Duration.ofMillis(200);
    private static final Duration PONG_TIMEOUT = Duration.ofSeconds(2);

    private HeraldServer server;

    @BeforeAll
    static void warmUp() {
        WebSocketTestSupport.warmUp();
    }

    @BeforeEach
    void start() {
        server = TestServer.start(
                "websocket.ping-interval", PING_INTERVAL.toMillis() + "ms",
                "websocket.pong-timeout", PONG_TIMEOUT.toMillis() + "ms");
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    @Test
    void clientThatNeverAnswersPingsIsClosedWith4002() {
        long bound = System.nanoTime();
        try (WebSocketRecorder healthy = bind(server, "healthy");
                RawWebSocket silent = bindRaw(server, "silent")) {
            RawWebSocket.Frame ping = silent.readFrame();
            assertThat(ping.opcode()).isEqualTo(PING);
            assertThat(ping.fin()).isTrue();

            RawWebSocket.Frame close = completeServerClose(silent);
            assertThat(close.opcode()).isEqualTo(CLOSE);
            assertThat(close.closeCode()).isEqualTo(4002);
            assertThat(close.closeReason()).isEqualTo("no pong");
            // Sweeps happen every 50 ms here, so each stage may end up to one sweep early; and the ping
            // itself comes up to a fifth of the interval early (spread over connections).
            assertThat(Duration.ofNanos(System.nanoTime() - bound))
                    .isGreaterThan(PING_INTERVAL
                            .plus(PONG_TIMEOUT)
                            .minus(PING_INTERVAL.dividedBy(5))
                            .minusMillis(100));

            await().until(() -> !server.hub().isOnline("silent"));
            assertThat(serverCloses(server, "4002 no pong")).isEqualTo(1);
            assertThat(push(server, message("silent", "gone"))).isEqualTo("fail");
            String line = message("healthy", "still here");
            assertThat(push(server, line)).isEqualTo("ok");
            assertThat(healthy.awaitMessage()).isEqualTo(line);
        }
    }

    @Test
    void rawClientThatAnswersEachPingStaysConnected() {
        try (RawWebSocket client = bindRaw(server, "answering")) {
            // Each ping after the first shows that the pong before it counted.
            for (int i = 0; i < 5; i++) {
                RawWebSocket.Frame ping = client.readFrame();
                assertThat(ping.opcode()).as("frame " + i).isEqualTo(PING);
                client.sendFrame(true, PONG, ping.payload());
            }

            assertThat(server.hub().isOnline("answering")).isTrue();
            String line = message("answering", "after pings");
            assertThat(push(server, line)).isEqualTo("ok");
            RawWebSocket.Frame frame = client.readFrame();
            while (frame.opcode() == PING) {
                client.sendFrame(true, PONG, frame.payload());
                frame = client.readFrame();
            }
            assertThat(frame.opcode()).isEqualTo(TEXT);
            assertThat(frame.text()).isEqualTo(line);
        }
        assertThat(serverCloses(server, "4002 no pong")).isZero();
    }

    @Test
    void jdkClientThatPongsAutomaticallyStaysConnectedAcrossSeveralIntervals() {
        try (WebSocketRecorder client = bind(server, "jdk")) {
            // A ping follows only the answer to the one before: the JDK's automatic pongs counted.
            await().until(() -> client.pings() >= 4);
            assertThat(server.hub().isOnline("jdk")).isTrue();

            String line = message("jdk", "after keepalive");
            assertThat(push(server, line)).isEqualTo("ok");
            assertThat(client.awaitMessage()).isEqualTo(line);
        }
        assertThat(serverCloses(server, "4002 no pong")).isZero();
    }

    @Test
    void anyFrameFromTheClientCountsAsAnAnswer() {
        try (RawWebSocket client = bindRaw(server, "chatty")) {
            // Answer each ping with a data frame (ignored after the bind) instead of a pong; each ping
            // after the first shows that the frame before it counted.
            for (int i = 0; i < 4; i++) {
                RawWebSocket.Frame ping = client.readFrame();
                assertThat(ping.opcode()).as("frame " + i).isEqualTo(PING);
                client.sendText("still here " + i);
            }

            await().until(() -> server.stats().get("framesIgnored").equals(4L));
            assertThat(server.hub().isOnline("chatty")).isTrue();
            assertThat(serverCloses(server, "4002 no pong")).isZero();
        }
    }

    @Test
    void unboundConnectionIsNotPinged() {
        try (RawWebSocket client = RawWebSocket.connect(server.websocketAddress())) {
            await().during(Duration.ofMillis(800))
                    .atMost(Duration.ofSeconds(3))
                    .until(() -> server.hub().connectionCount() == 1);
            client.sendClose(1000, "");

            // Whatever the server sent meanwhile comes before its answer to the close: no ping.
            RawWebSocket.Frame first = client.readFrame();
            assertThat(first.opcode()).isEqualTo(CLOSE);
            assertThat(first.closeCode()).isEqualTo(1000);
        }
    }
}
