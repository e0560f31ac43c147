package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testkit.HeraldV1Client;
import dev.herald.testkit.HeraldV1Client.Msg;
import dev.herald.testkit.TextPortClient;
import dev.herald.testkit.WebSocketRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Delivery receipts over real sockets: a push that asks for one gets its id, and the backend can ask,
 * per uid, whether the message waits, which connections it was written to and which acked it.
 */
class ReceiptIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HeraldServer server;
    private TextPortClient backend;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
        if (backend != null) {
            backend.close();
        }
        server.stop();
    }

    private void start(String... keyValues) {
        server = TestServer.start(keyValues);
        backend = TextPortClient.connect(server.textAddress());
    }

    private JsonNode request(String line) throws Exception {
        return JSON.readTree(backend.request(line));
    }

    private JsonNode receipt(String id) throws Exception {
        return request("receipt {\"id\":\"" + id + "\"}");
    }

    @Test
    void aReceiptFollowsAMessageFromTheInboxToTheAck() throws Exception {
        start();
        JsonNode pushed = request("push {\"uid\":\"ann\",\"data\":\"order shipped\",\"ttl\":600,\"receipt\":true}");
        String id = pushed.path("receipt").asText();
        assertThat(id).isNotEmpty();
        assertThat(pushed.path("queued").asInt()).isEqualTo(1);
        JsonNode ann = receipt(id).path("uids").path("ann");
        assertThat(ann.path("state").asText()).isEqualTo("queued");
        assertThat(ann.path("stream").asText()).isEqualTo("u:ann");
        assertThat(ann.path("offset").asLong()).isEqualTo(1);

        HeraldV1Client phone = HeraldV1Client.connect(TestServer.ws(server));
        clients.add(phone);
        String connection = phone.hello("ann").path("conn").asText();
        Msg msg = phone.awaitMsg();
        await().untilAsserted(() -> {
            JsonNode state = receipt(id).path("uids").path("ann");
            assertThat(state.path("state").asText()).isEqualTo("sent");
            assertThat(state.path("written").get(0).path("connection").asText()).isEqualTo(connection);
        });

        phone.ack(msg.stream(), msg.offset());
        await().untilAsserted(() -> {
            JsonNode state = receipt(id).path("uids").path("ann");
            assertThat(state.path("state").asText()).isEqualTo("acked");
            assertThat(state.path("acked").get(0).path("connection").asText()).isEqualTo(connection);
            assertThat(state.path("acked").get(0).path("at").asLong()).isPositive();
        });
    }

    @Test
    void theReceiptIdIsThePushIdWhenItHasOne() throws Exception {
        start();
        JsonNode pushed = request("push {\"uid\":\"bo\",\"data\":\"x\",\"id\":\"order-7\",\"receipt\":true}");
        assertThat(pushed.path("receipt").asText()).isEqualTo("order-7");
        assertThat(receipt("order-7").path("uids").path("bo").path("state").asText())
                .as("offline, no ttl")
                .isEqualTo("missed");
    }

    @Test
    void aWriteToASeedClientIsReportedAndUidsReachedThroughAGroupAreCounted() throws Exception {
        start();
        WebSocketRecorder seed = WebSocketRecorder.bind(TestServer.ws(server), "cy");
        clients.add(seed);
        await().until(() -> server.hub().isOnline("cy"));
        request("join {\"group\":\"room\",\"uids\":[\"cy\"]}");

        String direct = request("push {\"uid\":\"cy\",\"data\":\"hi\",\"receipt\":true}")
                .path("receipt")
                .asText();
        String viaGroup = request("push {\"group\":\"room\",\"data\":\"all\",\"receipt\":true}")
                .path("receipt")
                .asText();

        assertThat(seed.awaitMessage()).isEqualTo("hi");
        assertThat(seed.awaitMessage()).isEqualTo("all");
        await().untilAsserted(() -> assertThat(
                        receipt(direct).path("uids").path("cy").path("written").size())
                .isEqualTo(1));
        await().untilAsserted(() -> {
            JsonNode group = receipt(viaGroup);
            assertThat(group.path("uids").size())
                    .as("only uids named are listed")
                    .isZero();
            assertThat(group.path("others").path("written").asLong()).isEqualTo(1);
        });
    }

    @Test
    void aMessageThatWaitsUntilItsTtlEndsExpired() throws Exception {
        start();
        String id = request("push {\"uid\":\"di\",\"data\":\"short\",\"ttl\":1,\"receipt\":true}")
                .path("receipt")
                .asText();
        await().pollDelay(Duration.ofMillis(1100)).until(() -> true);
        HeraldV1Client client = HeraldV1Client.connect(TestServer.ws(server)); // its read expires the message
        clients.add(client);
        client.hello("di");
        assertThat(receipt(id).path("uids").path("di").path("state").asText()).isEqualTo("expired");
    }

    @Test
    void anUnknownReceiptIsAnErrorOnBothAdapters() throws Exception {
        start();
        JsonNode error = receipt("nope").path("error");
        assertThat(error.path("code").asText()).isEqualTo("unknown_receipt");
        assertThat(error.path("field").asText()).isEqualTo("id");
        HttpCalls.Response response = HttpCalls.command(server, null, "receipt", "{\"id\":\"nope\"}");
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.body()).contains("unknown_receipt");
        assertThat(request("receipt {}").path("error").path("code").asText()).isEqualTo("missing_field");
    }
}
