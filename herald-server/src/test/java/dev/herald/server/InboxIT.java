package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.testkit.HeraldV1Client;
import dev.herald.testkit.HeraldV1Client.Msg;
import dev.herald.testkit.HeraldV1Client.Position;
import dev.herald.testkit.TextPortClient;
import dev.herald.testkit.WebSocketRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The offline inbox, idempotency ids and latest-value keys over real sockets: a push with a ttl waits
 * for an offline uid and reaches its next connection, until a {@code herald.v1} connection acks it or
 * the ttl passes; replies say what happened; a retried id is not delivered again; a key replaces what
 * still waits.
 */
class InboxIT {

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

    private HeraldV1Client connect() {
        return connect(Map.of());
    }

    private HeraldV1Client connect(Map<String, Position> positions) {
        HeraldV1Client client = HeraldV1Client.connect(TestServer.ws(server), positions);
        clients.add(client);
        return client;
    }

    private String push(String fields) {
        return backend.request("push {" + fields + "}");
    }

    private void awaitOffline(String uid) {
        await().until(() -> !server.hub().isOnline(uid));
    }

    @Test
    void aPushWithATtlWaitsForAnOfflineUidUntilAConnectionAcksIt() {
        start();
        assertThat(push("\"uid\":\"ann\",\"data\":\"first\",\"ttl\":60"))
                .isEqualTo("{\"connections\":0,\"uids\":0,\"queued\":1}");
        assertThat(push("\"uid\":\"ann\",\"data\":\"second\",\"ttl\":60"))
                .isEqualTo("{\"connections\":0,\"uids\":0,\"queued\":1}");

        HeraldV1Client phone = connect();
        JsonNode answer = phone.hello("ann").path("streams").path("u:ann");
        assertThat(answer.path("r").asText()).isEqualTo("new");
        assertThat(answer.path("o").asLong())
                .as("the chain starts before the first waiting one")
                .isZero();
        assertThat(phone.awaitMsgs(2)).extracting(Msg::data).containsExactly("first", "second");
        phone.close();
        awaitOffline("ann");

        HeraldV1Client tablet = connect();
        tablet.hello("ann");
        assertThat(tablet.awaitMsgs(2))
                .as("not acked: delivered again to the next connection")
                .extracting(Msg::data)
                .containsExactly("first", "second");
        tablet.ack("u:ann", 2);
        await().until(() ->
                ((Map<?, ?>) server.stats().get("inbox")).get("acked").equals(2L));
        tablet.close();
        awaitOffline("ann");

        HeraldV1Client laptop = connect();
        laptop.hello("ann");
        laptop.assertNoMoreMessages();
    }

    @Test
    void aPushWithoutTtlToAnOfflineUidIsNotQueuedAndANewClientGetsNoHistory() {
        start();
        assertThat(push("\"uid\":\"bea\",\"data\":\"gone\"")).isEqualTo("{\"connections\":0,\"uids\":0}");
        HeraldV1Client client = connect();
        client.hello("bea");
        client.assertNoMoreMessages();
    }

    @Test
    void anOnlineUidGetsThePushAndItWaitsOnlyUntilAcked() {
        start();
        HeraldV1Client client = connect();
        client.hello("cat");
        assertThat(push("\"uid\":\"cat\",\"data\":\"live\",\"ttl\":60"))
                .as("reached: not counted as queued")
                .isEqualTo("{\"connections\":1,\"uids\":1}");
        Msg msg = client.awaitMsg();
        client.ack("u:cat", msg.offset());
        await().until(() ->
                ((Map<?, ?>) server.stats().get("inbox")).get("waiting").equals(0L));
    }

    @Test
    void aWaitingMessageExpiresAtItsTtl() {
        start();
        push("\"uid\":\"dee\",\"data\":\"short\",\"ttl\":1");
        await().pollDelay(Duration.ofMillis(1100)).until(() -> true);
        HeraldV1Client client = connect();
        client.hello("dee");
        client.assertNoMoreMessages();
        assertThat(((Map<?, ?>) server.stats().get("inbox")).get("expired")).isEqualTo(1L);
    }

    @Test
    void aFullInboxPushesOutItsOldest() {
        start("inbox.max-per-uid", "3");
        for (int n = 1; n <= 5; n++) {
            push("\"uid\":\"eve\",\"data\":\"m" + n + "\",\"ttl\":60");
        }
        HeraldV1Client client = connect();
        client.hello("eve");
        assertThat(client.awaitMsgs(3)).extracting(Msg::data).containsExactly("m3", "m4", "m5");
    }

    @Test
    void pastTheInboxBudgetAMessageDoesNotWaitAndTheReplySaysSo() {
        start("inbox.max-bytes", "200"); // one message of a few bytes (+ 128 each), not two more
        assertThat(push("\"uid\":\"fox\",\"data\":\"fits\",\"ttl\":60")).contains("\"queued\":1");
        assertThat(push("\"uids\":[\"gil\",\"hal\"],\"data\":\"no room\",\"ttl\":60"))
                .isEqualTo("{\"connections\":0,\"uids\":0,\"dropped\":2}");
    }

    @Test
    void seedLinesWaitWithSeedTtlAndStillAnswerFail() {
        start("inbox.seed-ttl", "1m");
        assertThat(backend.request("{\"uid\":\"ida\",\"n\":1}")).isEqualTo("fail");
        HeraldV1Client client = connect();
        client.hello("ida");
        assertThat(client.awaitMsg().data()).isEqualTo("{\"uid\":\"ida\",\"n\":1}");
    }

    @Test
    void withSeedClientsASeedClientGetsWhatWaitedAsRawFramesOnce() {
        start("inbox.seed-clients", "true", "inbox.default-ttl", "1m");
        push("\"uid\":\"jon\",\"data\":\"while away\"");
        WebSocketRecorder seed = WebSocketRecorder.bind(TestServer.ws(server), "jon");
        clients.add(seed);
        assertThat(seed.awaitMessage()).isEqualTo("while away");
        assertThat(push("\"uid\":\"jon\",\"data\":\"live\"")).isEqualTo("{\"connections\":1,\"uids\":1}");
        assertThat(seed.awaitMessage()).isEqualTo("live");
        await().until(() ->
                ((Map<?, ?>) server.stats().get("inbox")).get("waiting").equals(0L));

        WebSocketRecorder again = WebSocketRecorder.bind(TestServer.ws(server), "jon");
        clients.add(again);
        assertThat(push("\"uid\":\"jon\",\"data\":\"marker\",\"ttl\":0")).contains("\"connections\":2");
        assertThat(again.awaitMessage())
                .as("written to a seed client counts as delivered")
                .isEqualTo("marker");
    }

    @Test
    void withoutSeedClientsASeedClientGetsNothingThatWaited() {
        start("inbox.default-ttl", "1m");
        push("\"uid\":\"kim\",\"data\":\"for herald.v1 clients\"");
        WebSocketRecorder seed = WebSocketRecorder.bind(TestServer.ws(server), "kim");
        clients.add(seed);
        await().until(() -> server.hub().isOnline("kim"));
        assertThat(push("\"uid\":\"kim\",\"data\":\"live\",\"ttl\":0")).contains("\"connections\":1");
        assertThat(seed.awaitMessage()).isEqualTo("live");
    }

    @Test
    void aRetriedIdGetsTheFirstResultAndIsNotDeliveredAgain() {
        start();
        HeraldV1Client client = connect();
        client.hello("lea");
        assertThat(push("\"uid\":\"lea\",\"data\":\"once\",\"id\":\"order-7\""))
                .isEqualTo("{\"connections\":1,\"uids\":1}");
        assertThat(push("\"uid\":\"lea\",\"data\":\"once\",\"id\":\"order-7\""))
                .isEqualTo("{\"connections\":1,\"uids\":1,\"duplicate\":true}");
        assertThat(push("\"uid\":\"max\",\"data\":\"other target\",\"id\":\"order-7\""))
                .as("the id is scoped by the target")
                .isEqualTo("{\"connections\":0,\"uids\":0}");
        Msg msg = client.awaitMsg();
        assertThat(msg.data()).isEqualTo("once");
        client.assertNoMoreMessages();
    }

    @Test
    void aKeyReplacesWhatStillWaitsAndWhatHistoryKeeps() {
        start();
        push("\"uid\":\"ned\",\"data\":\"10%\",\"key\":\"task:1\",\"ttl\":60");
        push("\"uid\":\"ned\",\"data\":\"other\",\"ttl\":60");
        push("\"uid\":\"ned\",\"data\":\"60%\",\"key\":\"task:1\",\"ttl\":60");
        HeraldV1Client client = connect();
        client.hello("ned");
        List<Msg> msgs = client.awaitMsgs(2);
        assertThat(msgs).extracting(Msg::data).containsExactly("other", "60%");
        client.assertNoMoreMessages();
        Map<String, Position> held = client.positions();
        client.close();
        awaitOffline("ned");

        push("\"uid\":\"ned\",\"data\":\"80%\",\"key\":\"task:1\"");
        push("\"uid\":\"ned\",\"data\":\"100%\",\"key\":\"task:1\"");
        HeraldV1Client again = connect(held);
        JsonNode answer = again.hello("ned").path("streams").path("u:ned");
        assertThat(answer.path("r").asText())
                .as("a replaced message is not a loss")
                .isEqualTo("recovered");
        assertThat(again.awaitMsg().data()).isEqualTo("100%");
    }

    @Test
    void messagesCarryTheirIdAndKey() {
        start();
        HeraldV1Client client = connect();
        client.hello("ora");
        push("\"uid\":\"ora\",\"data\":\"x\",\"id\":\"i-1\",\"key\":\"k-1\"");
        JsonNode msg = client.awaitJson();
        assertThat(msg.path("id").asText()).isEqualTo("i-1");
        assertThat(msg.path("k").asText()).isEqualTo("k-1");
        assertThat(msg.path("d").asText()).isEqualTo("x");
    }

    @Test
    void waitingMessagesOutliveHistoryAndAResumeNamesOnlyWhatIsReallyGone() {
        start("history.size", "2");
        HeraldV1Client first = connect();
        first.hello("pat");
        push("\"uid\":\"pat\",\"data\":\"1\"");
        first.awaitMsg();
        Map<String, Position> held = first.positions();
        first.close();
        awaitOffline("pat");
        push("\"uid\":\"pat\",\"data\":\"2\",\"ttl\":60");
        push("\"uid\":\"pat\",\"data\":\"3\",\"ttl\":60");
        for (int n = 4; n <= 7; n++) {
            push("\"uid\":\"pat\",\"data\":\"" + n + "\"");
        }

        HeraldV1Client again = connect(held);
        JsonNode answer = again.hello("pat").path("streams").path("u:pat");
        assertThat(answer.path("r").asText()).isEqualTo("gap");
        assertThat(answer.path("missed").toString()).isEqualTo("[[4,5]]");
        assertThat(again.awaitMsgs(4)).extracting(Msg::data).containsExactly("2", "3", "6", "7");
    }

    @Test
    void badTtlsIdsAndKeysAreRefused() {
        start("inbox.max-ttl", "1h");
        assertThat(push("\"uid\":\"q\",\"data\":\"x\",\"ttl\":-1"))
                .contains("\"invalid_field\"")
                .contains("\"ttl\"");
        assertThat(push("\"uid\":\"q\",\"data\":\"x\",\"ttl\":3601")).contains("3600 seconds");
        assertThat(push("\"uid\":\"q\",\"data\":\"x\",\"ttl\":\"1m\"")).contains("\"invalid_field\"");
        assertThat(push("\"uid\":\"q\",\"data\":\"x\",\"id\":\"\"")).contains("\"field\":\"id\"");
        assertThat(push("\"uid\":\"q\",\"data\":\"x\",\"key\":\"" + "k".repeat(129) + "\""))
                .contains("\"field\":\"key\"");
    }
}
