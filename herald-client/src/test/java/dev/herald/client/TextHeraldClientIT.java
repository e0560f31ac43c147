package dev.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.server.HeraldServer;
import dev.herald.testkit.FreePorts;
import dev.herald.testkit.WebSocketRecorder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * {@link HeraldClient#text} against a real server: pipelining on one connection, reconnecting, and
 * against a scripted peer ({@link TcpPeer}) for drops and silence.
 */
class TextHeraldClientIT extends HeraldClientContract {

    @Override
    HeraldClient connect(HeraldServer server) {
        return HeraldClient.text(TestServer.text(server));
    }

    @Override
    int expectedStatus(int status) {
        return 0;
    }

    @Test
    void aBurstOfAsyncCallsIsPipelinedOnOneConnectionAndMatchedInOrder() throws Exception {
        WebSocketRecorder alice = bind("alice");
        List<CompletableFuture<GroupCount>> counts = new ArrayList<>();
        List<CompletableFuture<PushResult>> pushes = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            counts.add(client.groupCountAsync("g" + i));
            pushes.add(client.pushAsync(
                    Push.toUids(i % 2 == 0 ? "alice" : "nobody").data("m" + i)));
        }

        for (int i = 0; i < 500; i++) {
            assertThat(get(counts.get(i)).group()).isEqualTo("g" + i);
            assertThat(get(pushes.get(i)).connections()).isEqualTo(i % 2 == 0 ? 1 : 0);
        }
        for (int i = 0; i < 500; i += 2) {
            assertThat(alice.awaitMessage()).isEqualTo("m" + i);
        }
        assertThat(client.stats().path("backendConnections").asInt()).isEqualTo(1);
    }

    @Test
    void aLineTooLongIsTheServersErrorAndTheNextCallReconnects() {
        HeraldServer small = TestServer.start("text.max-line-bytes", "1024");
        try (HeraldClient text = HeraldClient.text(TestServer.text(small))) {
            assertThat(text.counts().connections()).isZero();

            assertThatThrownBy(() -> text.push(Push.toUids("alice").data("x".repeat(2000))))
                    .isExactlyInstanceOf(HeraldException.class)
                    .hasFieldOrPropertyWithValue("code", ErrorCode.LINE_TOO_LONG)
                    .hasFieldOrPropertyWithValue("httpStatus", 0)
                    .hasMessageContaining("1024");

            assertThat(text.push(Push.toUids("alice").data("small"))).isEqualTo(new PushResult(0, 0));
            assertThat(text.stats()
                            .path("text")
                            .path("errors")
                            .path("line_too_long")
                            .asInt())
                    .isEqualTo(1);
        } finally {
            small.stop();
        }
    }

    @Test
    void aTextKeyIsSentAsTheAuthLineOfEachConnection() {
        String key = "client-text-key-0123456789";
        HeraldServer keyed = TestServer.start("text.keys", key + ":push");
        try (HeraldClient text = HeraldClient.builder().textKey(key).text(TestServer.text(keyed));
                HeraldClient wrong =
                        HeraldClient.builder().textKey("not-the-key-0123456789").text(TestServer.text(keyed));
                HeraldClient none = HeraldClient.text(TestServer.text(keyed))) {
            assertThat(text.push(Push.toUids("alice").data("hi"))).isEqualTo(new PushResult(0, 0));
            assertThatThrownBy(text::stats)
                    .isInstanceOf(HeraldException.class)
                    .hasFieldOrPropertyWithValue("code", ErrorCode.FORBIDDEN);
            assertThat(text.counts().connections())
                    .as("still the same connection")
                    .isZero();

            assertThatThrownBy(wrong::counts)
                    .isInstanceOf(HeraldTransportException.class)
                    .hasFieldOrPropertyWithValue("code", ErrorCode.UNAUTHORIZED);
            assertThatThrownBy(none::counts).isInstanceOf(HeraldException.class);
        } finally {
            keyed.stop();
        }
    }

    @Test
    void callsInFlightWhenTheConnectionDropsFailAndTheNextCallReconnects() {
        try (TcpPeer peer = TcpPeer.start();
                HeraldClient text = HeraldClient.text(peer.address())) {
            List<CompletableFuture<Boolean>> inFlight =
                    List.of(text.isOnlineAsync("a"), text.isOnlineAsync("b"), text.isOnlineAsync("c"));
            TcpPeer.Connection first = peer.awaitConnection();
            assertThat(first.readLine()).isEqualTo("online {\"uids\":[\"a\"]}");
            assertThat(first.readLine()).isEqualTo("online {\"uids\":[\"b\"]}");
            assertThat(first.readLine()).isEqualTo("online {\"uids\":[\"c\"]}");
            first.write("{\"online\":{\"a\":true}}\n");
            first.close();

            assertThat(inFlight.get(0)).succeedsWithin(WAIT).isEqualTo(true);
            for (CompletableFuture<Boolean> dropped : inFlight.subList(1, 3)) {
                assertThat(dropped)
                        .failsWithin(WAIT)
                        .withThrowableOfType(ExecutionException.class)
                        .havingCause()
                        .isExactlyInstanceOf(HeraldTransportException.class)
                        .hasFieldOrPropertyWithValue("code", ErrorCode.TRANSPORT);
            }

            CompletableFuture<Boolean> next = text.isOnlineAsync("d");
            TcpPeer.Connection second = peer.awaitConnection();
            assertThat(second.readLine()).isEqualTo("online {\"uids\":[\"d\"]}");
            second.write("{\"online\":{\"d\":true}}\n");
            assertThat(next).succeedsWithin(WAIT).isEqualTo(true);
        }
    }

    @Test
    void afterTheServerRestartsTheNextCallReconnects() {
        // The restart binds the same port again: one the kernel does not hand out meanwhile.
        server.stop();
        server = TestServer.start(
                "api.max-batch", String.valueOf(MAX_BATCH), "text.port", String.valueOf(FreePorts.take()));
        client.close();
        client = connect(server);
        WebSocketRecorder alice = bind("alice");
        assertThat(client.isOnline("alice")).isTrue();
        InetSocketAddress address = TestServer.text(server);
        alice.close();
        server.stop();

        assertThatThrownBy(() -> client.isOnline("alice"))
                .isInstanceOf(HeraldTransportException.class)
                .hasFieldOrPropertyWithValue("code", ErrorCode.TRANSPORT);

        server = TestServer.start("text.port", String.valueOf(address.getPort()));
        assertThat(client.isOnline("alice")).isFalse();
        assertThat(client.counts()).isEqualTo(new Counts(0, 0, 0));
    }

    @Test
    void nothingListeningIsATransportError() {
        // Not a released ephemeral port, which the client's own connect could take as its source port.
        int port = FreePorts.take();
        try (HeraldClient text = HeraldClient.text(new InetSocketAddress("127.0.0.1", port))) {
            assertThatThrownBy(text::counts)
                    .isInstanceOf(HeraldTransportException.class)
                    .hasFieldOrPropertyWithValue("code", ErrorCode.TRANSPORT)
                    .hasMessageContaining(String.valueOf(port));
            assertThat(text.countsAsync())
                    .failsWithin(WAIT)
                    .withThrowableOfType(ExecutionException.class)
                    .havingCause()
                    .isInstanceOf(HeraldTransportException.class);
        }
    }

    @Test
    void aSilentServerTimesOutAndTheConnectionIsReplaced() {
        try (TcpPeer silent = TcpPeer.start();
                HeraldClient text =
                        HeraldClient.builder().timeout(Duration.ofMillis(300)).text(silent.address())) {
            long start = System.nanoTime();
            CompletableFuture<Counts> first = text.countsAsync();
            CompletableFuture<Counts> behind = text.countsAsync();

            assertThat(first)
                    .failsWithin(Duration.ofSeconds(5))
                    .withThrowableOfType(ExecutionException.class)
                    .havingCause()
                    .isInstanceOf(HeraldTransportException.class)
                    .hasFieldOrPropertyWithValue("code", ErrorCode.TIMEOUT);
            assertThat(behind)
                    .failsWithin(Duration.ofSeconds(5))
                    .withThrowableOfType(ExecutionException.class)
                    .havingCause()
                    .isInstanceOf(HeraldTransportException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            TcpPeer.Connection stalled = silent.awaitConnection();
            assertThat(stalled.closedByClient())
                    .as("the stalled connection is closed")
                    .isTrue();

            assertThatThrownBy(text::counts)
                    .isInstanceOf(HeraldTransportException.class)
                    .hasFieldOrPropertyWithValue("code", ErrorCode.TIMEOUT);
            assertThat(silent.awaitConnection()).as("a new connection").isNotSameAs(stalled);
        }
    }

    @Test
    void closingTheClientFailsTheCallsInFlight() {
        try (TcpPeer silent = TcpPeer.start()) {
            HeraldClient text = HeraldClient.text(silent.address());
            CompletableFuture<Counts> inFlight = text.countsAsync();
            TcpPeer.Connection connection = silent.awaitConnection();
            assertThat(connection.readLine()).isEqualTo("count {}");

            text.close();

            assertThat(inFlight)
                    .failsWithin(WAIT)
                    .withThrowableOfType(ExecutionException.class)
                    .havingCause()
                    .isInstanceOf(HeraldTransportException.class)
                    .withMessageContaining("closed");
            assertThat(connection.closedByClient()).isTrue();
        }
    }

    @Test
    void aReplyThatIsNotHeraldsFailsTheCallAndTheConnection() {
        try (TcpPeer peer = TcpPeer.start();
                HeraldClient text = HeraldClient.text(peer.address())) {
            CompletableFuture<Counts> call = text.countsAsync();
            CompletableFuture<Counts> behind = text.countsAsync();
            TcpPeer.Connection connection = peer.awaitConnection();
            connection.write("ok\n");

            assertThat(call)
                    .failsWithin(WAIT)
                    .withThrowableOfType(ExecutionException.class)
                    .havingCause()
                    .isInstanceOf(HeraldTransportException.class)
                    .hasFieldOrPropertyWithValue("code", ErrorCode.BAD_REPLY);
            assertThat(behind)
                    .failsWithin(WAIT)
                    .withThrowableOfType(ExecutionException.class)
                    .havingCause()
                    .isInstanceOf(HeraldTransportException.class);
            assertThat(connection.closedByClient()).isTrue();
        }
    }
}
