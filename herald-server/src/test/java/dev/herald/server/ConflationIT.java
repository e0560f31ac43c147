package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testkit.RawWebSocket;
import dev.herald.testkit.SocketBuffers;
import dev.herald.testkit.TextPortClient;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Latest-value keys as the slow-consumer policy: a {@code herald.v1} client that stops reading while a
 * backend pushes progress with one key is not closed with 4003; what waits while it is congested is the
 * newest value only, and when it reads again it gets that value, with an unbroken chain of previous
 * offsets. An unkeyed push to it while it is congested still waits its turn behind them.
 */
class ConflationIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DATA_BYTES = 32 * 1024;
    /** Twice what the kernel's buffers and the 64 KiB queue hold, as in SlowConsumerIT. */
    private static final int PUSHES = (int) Math.max(400, 2 * SocketBuffers.unreadCapacity() / DATA_BYTES);

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
    void aCongestedClientGetsTheNewestValueOfAKeyInsteadOfBeingClosed() throws Exception {
        try (RawWebSocket slow = RawWebSocket.connect(
                        server.websocketAddress(), "/", Map.of("Sec-WebSocket-Protocol", "herald.v1"), 4096);
                TextPortClient backend = TextPortClient.connect(server.textAddress())) {
            slow.sendText("{\"t\":\"hello\",\"uid\":\"slow\"}");
            JsonNode welcome = JSON.readTree(slow.readFrame().text());
            assertThat(welcome.path("t").asText()).isEqualTo("welcome");
            long position = welcome.path("streams").path("u:slow").path("o").asLong();

            String padding = "x".repeat(DATA_BYTES);
            for (int n = 1; n <= PUSHES; n++) {
                String reply = backend.request(
                        "push {\"uid\":\"slow\",\"key\":\"progress\",\"data\":\"" + n + " " + padding + "\"}");
                assertThat(reply).as("push %d", n).isEqualTo("{\"connections\":1,\"uids\":1}");
            }
            backend.request("push {\"uid\":\"slow\",\"data\":\"unkeyed, after them\"}");
            assertThat(WebSocketTestSupport.serverCloses(server, "4003 slow consumer"))
                    .isZero();
            await().until(() ->
                    ((Map<?, ?>) server.stats().get("heraldV1")).get("conflated") instanceof Long c && c > 0);

            // Read again: everything that went out before the congestion, then the newest value, then the rest.
            String last = null;
            int received = 0;
            while (true) {
                RawWebSocket.Frame frame = slow.readFrame();
                assertThat(frame.opcode()).as("no close: %s", frame).isEqualTo(RawWebSocket.TEXT);
                JsonNode msg = JSON.readTree(frame.text());
                if (!msg.path("t").asText().equals("msg")) {
                    continue; // a ping
                }
                assertThat(msg.path("p").asLong())
                        .as("the chain, at %s", msg.path("o"))
                        .isEqualTo(position);
                position = msg.path("o").asLong();
                received++;
                String data = msg.path("d").asText();
                if (data.equals("unkeyed, after them")) {
                    break;
                }
                last = data;
            }
            assertThat(last).as("the newest value came last").startsWith(PUSHES + " ");
            assertThat(received)
                    .as("fewer frames than pushes: the rest were replaced")
                    .isLessThan(PUSHES);
        }
    }
}
