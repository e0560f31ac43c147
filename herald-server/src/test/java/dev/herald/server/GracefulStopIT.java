package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testkit.TextPortClient;
import dev.herald.testkit.WebSocketRecorder;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Stopping loses nothing that was accepted: every push answered ok reaches its client before 1001. */
class GracefulStopIT {

    @Test
    void everyAcknowledgedPushIsDeliveredBeforeTheClientIsClosed() {
        HeraldServer server = TestServer.start();
        WebSocketRecorder client = WebSocketRecorder.bind(TestServer.ws(server), "u");
        await().until(() -> server.hub().isOnline("u"));
        int sent = 5000;
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < sent; i++) {
            lines.append("{\"uid\":\"u\",\"seq\":").append(i).append("}\n");
        }
        try (TextPortClient backend = TextPortClient.connect(server.textAddress())) {
            backend.write(lines.toString());
            assertThat(backend.readLine()).isEqualTo("ok");
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::stop);

            int acknowledged = 1;
            for (String reply = backend.readLine(); reply != null; reply = backend.readLine()) {
                assertThat(reply).isEqualTo("ok");
                acknowledged++;
            }
            WebSocketRecorder.Closing closing = client.awaitMessagesUntilClose();
            List<String> received = closing.messages();
            stopping.join();

            assertThat(closing.close()).isEqualTo(new WebSocketRecorder.Close(1001, "server shutting down"));
            assertThat(acknowledged).isBetween(1, sent);
            assertThat(received).hasSize(acknowledged);
            for (int i = 0; i < received.size(); i++) {
                assertThat(received.get(i)).isEqualTo("{\"uid\":\"u\",\"seq\":" + i + "}");
            }
            assertThat(server.isReady()).isFalse();
        }
    }
}
