package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testkit.TextPortClient;
import dev.herald.testkit.WebSocketRecorder;
import dev.herald.testkit.WebSocketRecorder.Close;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pushes a backend had acknowledged reach the client before a close that came after them, also when
 * the close is decided on the event loop that is about to write the pushes (one I/O thread: the
 * backend's and the client's connections share it, and a kick in the same read as the pushes closes
 * the client while its frames still wait in the loop's outbox).
 */
class PushThenCloseOrderIT {

    private HeraldServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    @ParameterizedTest(name = "{0} io thread(s)")
    @ValueSource(strings = {"1", "2"})
    void pushesInTheSameReadAsAKickArriveBeforeTheCloseFrame(String ioThreads) {
        server = TestServer.start("server.io-threads", ioThreads);
        try (WebSocketRecorder client = WebSocketTestSupport.bind(server, "leaving");
                TextPortClient backend = TextPortClient.connect(server.textAddress())) {
            StringBuilder lines = new StringBuilder();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                String line = WebSocketTestSupport.message("leaving", "last words " + i);
                expected.add(line);
                lines.append(line).append('\n');
            }
            lines.append("kick {\"uid\":\"leaving\",\"reason\":\"bye\"}\n");
            backend.write(lines.toString()); // one write: the server reads pushes and kick together

            for (int i = 0; i < 50; i++) {
                assertThat(backend.readLine()).isEqualTo("ok");
            }
            assertThat(backend.readLine()).isEqualTo("{\"closed\":1}");
            WebSocketRecorder.Closing closing = client.awaitMessagesUntilClose();
            assertThat(closing.messages()).isEqualTo(expected);
            assertThat(closing.close()).isEqualTo(new Close(4501, "bye"));
        }
    }

    @Test
    void aGracefulStopStillDeliversWhatWasAcknowledgedFirst() {
        server = TestServer.start("server.io-threads", "1");
        try (WebSocketRecorder client = WebSocketTestSupport.bind(server, "staying");
                TextPortClient backend = TextPortClient.connect(server.textAddress())) {
            String line = WebSocketTestSupport.message("staying", "before the stop");
            assertThat(backend.request(line)).isEqualTo("ok");
            server.stop();
            server = null;
            WebSocketRecorder.Closing closing = client.awaitMessagesUntilClose();
            assertThat(closing.messages()).containsExactly(line);
            assertThat(closing.close().code()).isEqualTo(1001);
        }
    }
}
