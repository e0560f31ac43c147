package dev.herald.server;

import static dev.herald.server.WebSocketTestSupport.bind;
import static dev.herald.server.WebSocketTestSupport.message;
import static dev.herald.server.WebSocketTestSupport.serverCloses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testkit.RawWebSocket;
import dev.herald.testkit.SocketBuffers;
import dev.herald.testkit.TextPortClient;
import dev.herald.testkit.WebSocketRecorder;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Slow consumers: a client that stops reading is closed with 4003 once its outbound queue passes
 * {@code websocket.max-outbound-bytes} (64 KiB here), the push that finds it so answers {@code fail},
 * and other clients keep being served.
 */
class SlowConsumerIT {

    private static final int MESSAGE_BYTES = 32 * 1024;
    /** Pushes of 32 KiB before giving up: twice what the kernel's buffers and the 64 KiB queue hold. */
    private static final int MAX_PUSHES = (int) Math.max(400, 2 * SocketBuffers.unreadCapacity() / MESSAGE_BYTES);

    private HeraldServer server;

    @BeforeEach
    void start() {
        server = TestServer.start("websocket.max-outbound-bytes", "64KiB");
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    @Test
    void clientThatStopsReadingIsClosedWith4003AndOthersAreStillServed() {
        try (WebSocketRecorder healthy = bind(server, "healthy");
                RawWebSocket slow = RawWebSocket.connect(server.websocketAddress(), "/", Map.of(), 4096);
                TextPortClient backend = TextPortClient.connect(server.textAddress())) {
            slow.sendText("slow");
            await().until(() -> server.hub().isOnline("slow"));

            String line = message("slow", "x".repeat(MESSAGE_BYTES));
            int pushes = 0;
            String reply = "ok";
            while (reply.equals("ok") && pushes < MAX_PUSHES) {
                reply = backend.request(line);
                pushes++;
            }

            assertThat(reply).as("reply to push " + pushes).isEqualTo("fail");
            assertThat(pushes).as("pushes accepted before the queue filled").isGreaterThan(2);
            assertThat(serverCloses(server, "4003 slow consumer")).isEqualTo(1);
            assertThat(backend.request(line)).as("push after the close").isEqualTo("fail");

            String toHealthy = message("healthy", "unaffected");
            assertThat(backend.request(toHealthy)).isEqualTo("ok");
            assertThat(healthy.awaitMessage()).isEqualTo(toHealthy);

            // The close frame is stuck behind the unread queue: the server drops the connection itself.
            await().until(() -> !server.hub().isOnline("slow"));
            assertThat(server.hub().connectionCount()).isEqualTo(1);
        }
    }

    @Test
    void clientThatReadsSlowlyButKeepsUpIsNotClosed() {
        try (RawWebSocket reader = RawWebSocket.connect(server.websocketAddress(), "/", Map.of(), 4096);
                TextPortClient backend = TextPortClient.connect(server.textAddress())) {
            reader.sendText("reader");
            await().until(() -> server.hub().isOnline("reader"));

            // Well over max-outbound-bytes in total, but read as it comes: the queue never fills.
            for (int i = 0; i < 20; i++) {
                String line = message("reader", i + "-" + "y".repeat(MESSAGE_BYTES));
                assertThat(backend.request(line)).as("push " + i).isEqualTo("ok");
                assertThat(reader.readFrame().text()).isEqualTo(line);
            }
        }
        assertThat(serverCloses(server, "4003 slow consumer")).isZero();
    }

    @Test
    void clientThatFloodsPingsWithoutReadingThePongsIsNotReadAndTimesOut() throws Exception {
        server.stop();
        server = TestServer.start(
                "websocket.max-outbound-bytes",
                "64KiB",
                "websocket.ping-interval",
                "300ms",
                // Long enough for the healthy client's pongs on a busy machine; the flooder is closed
                // by it all the same.
                "websocket.pong-timeout",
                "2s",
                // The message rate limit would close the flooder with 4506 first: this test is about
                // what back-pressure does when no rate limit is set.
                "websocket.max-messages-per-second",
                "0");
        try (WebSocketRecorder healthy = bind(server, "healthy");
                RawWebSocket flooder = RawWebSocket.connect(server.websocketAddress(), "/", Map.of(), 4096);
                TextPortClient backend = TextPortClient.connect(server.textAddress())) {
            flooder.sendText("flooder");
            await().until(() -> server.hub().isOnline("flooder"));
            Thread writer = new Thread(
                    () -> {
                        byte[] payload = new byte[125];
                        long deadline = System.nanoTime() + 20_000_000_000L;
                        try {
                            while (System.nanoTime() < deadline) {
                                flooder.sendFrame(true, RawWebSocket.PING, payload);
                                flooder.sendFrame(
                                        true, RawWebSocket.PONG, payload); // "still alive", as long as it is read
                            }
                        } catch (RuntimeException closed) {
                            // the server dropped the connection: done
                        }
                    },
                    "ping-flooder");
            writer.setDaemon(true);
            writer.start();

            // Once the server's pongs fill the queue it stops reading the client, so the client's pongs no
            // longer prove it alive: the keepalive closes it instead of buffering pongs without end.
            await().atMost(java.time.Duration.ofSeconds(15))
                    .until(() -> !server.hub().isOnline("flooder"));
            assertThat(serverCloses(server, "4002 no pong")).isEqualTo(1);

            String toHealthy = message("healthy", "still here");
            assertThat(backend.request(toHealthy)).isEqualTo("ok");
            assertThat(healthy.awaitMessage()).isEqualTo(toHealthy);
            writer.interrupt();
        }
    }
}
