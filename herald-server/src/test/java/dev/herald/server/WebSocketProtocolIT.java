package dev.herald.server;

import static dev.herald.server.WebSocketTestSupport.assertReceivesPush;
import static dev.herald.server.WebSocketTestSupport.awaitCloseThenEof;
import static dev.herald.server.WebSocketTestSupport.bind;
import static dev.herald.server.WebSocketTestSupport.bindRaw;
import static dev.herald.server.WebSocketTestSupport.completeServerClose;
import static dev.herald.server.WebSocketTestSupport.message;
import static dev.herald.server.WebSocketTestSupport.push;
import static dev.herald.server.WebSocketTestSupport.serverCloses;
import static dev.herald.testkit.RawWebSocket.BINARY;
import static dev.herald.testkit.RawWebSocket.CLOSE;
import static dev.herald.testkit.RawWebSocket.CONTINUATION;
import static dev.herald.testkit.RawWebSocket.PING;
import static dev.herald.testkit.RawWebSocket.PONG;
import static dev.herald.testkit.RawWebSocket.TEXT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.herald.testkit.RawWebSocket;
import dev.herald.testkit.WebSocketRecorder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 6455 framing on a client connection, with frames written byte by byte: ping/pong, the closing
 * handshake (client-initiated and on shutdown), each protocol violation and the close code it gets,
 * UTF-8 checks and message sizes ({@code websocket.max-message-bytes} = 1 KiB here).
 */
class WebSocketProtocolIT {

    private static final int MAX_MESSAGE_BYTES = 1024;
    private static final Map<Integer, String> CLOSE_STATS =
            Map.of(1002, "1002 protocol error", 1007, "1007 invalid UTF-8", 1009, "1009 message too big");

    private HeraldServer server;

    @BeforeEach
    void start() {
        server = TestServer.start("websocket.max-message-bytes", "1KiB");
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    @Test
    void pingIsAnsweredWithAPongCarryingTheSamePayload() {
        try (RawWebSocket client = bindRaw(server, "pinger")) {
            for (byte[] payload : List.of(new byte[0], utf8("hello"), filled(125, 'p'))) {
                client.sendFrame(true, PING, payload);

                RawWebSocket.Frame pong = client.readFrame();
                assertThat(pong.opcode()).isEqualTo(PONG);
                assertThat(pong.fin()).isTrue();
                assertThat(pong.payload()).isEqualTo(payload);
            }
            assertReceivesPush(server, client, "pinger");
        }
    }

    @Test
    void unsolicitedPongIsIgnored() {
        try (RawWebSocket client = bindRaw(server, "ponger")) {
            client.sendFrame(true, PONG, utf8("unsolicited"));

            // The next frame is the push: nothing answered the pong, and the connection is still bound.
            assertReceivesPush(server, client, "ponger");
            assertThat(server.stats().get("framesIgnored")).isEqualTo(0L);
        }
    }

    @ParameterizedTest(name = "close code {0}")
    @ValueSource(ints = {1000, 1001, 1003, 1011, 3000, 4999})
    void clientCloseIsEchoedThenTheServerClosesTheConnection(int code) {
        try (RawWebSocket client = bindRaw(server, "closer")) {
            client.sendClose(code, "bye");

            RawWebSocket.Frame close = awaitCloseThenEof(client);
            assertThat(close.closeCode()).isEqualTo(code);
        }
        await().until(() -> !server.hub().isOnline("closer"));
        assertThat(push(server, message("closer", "gone"))).isEqualTo("fail");
        assertThat(server.hub().connectionCount()).isZero();
    }

    @Test
    void closeWithoutAStatusCodeIsAnsweredWithAClose() {
        try (RawWebSocket client = bindRaw(server, "quiet-closer")) {
            client.sendFrame(true, CLOSE, new byte[0]);

            RawWebSocket.Frame close = awaitCloseThenEof(client);
            assertThat(close.payload().length == 0 || close.closeCode() == 1000)
                    .as("empty close or 1000, was " + close.closeCode())
                    .isTrue();
        }
        await().until(() -> !server.hub().isOnline("quiet-closer"));
    }

    static Stream<Arguments> violations() {
        return Stream.of(
                violation("unmasked frame", 1002, c -> c.sendFrame(true, 0, TEXT, utf8("x"), false)),
                violation("reserved data opcode 0x3", 1002, c -> c.sendFrame(true, 0x3, utf8("x"))),
                violation("reserved control opcode 0xB", 1002, c -> c.sendFrame(true, 0xB, utf8("x"))),
                violation("RSV1 without an extension", 1002, c -> c.sendFrame(true, 4, TEXT, utf8("x"), true)),
                violation("RSV2 without an extension", 1002, c -> c.sendFrame(true, 2, TEXT, utf8("x"), true)),
                violation("RSV3 without an extension", 1002, c -> c.sendFrame(true, 1, TEXT, utf8("x"), true)),
                violation(
                        "16-bit length for a 5-byte payload",
                        1002,
                        c -> c.sendRaw(maskedFrame(0x81, new byte[] {126, 0x00, 0x05}, utf8("hello")))),
                violation(
                        "64-bit length for a 200-byte payload",
                        1002,
                        c -> c.sendRaw(maskedFrame(
                                0x81, new byte[] {127, 0, 0, 0, 0, 0, 0, 0, (byte) 200}, filled(200, 'a')))),
                violation(
                        "64-bit length with the most significant bit set",
                        1002,
                        c -> c.sendRaw(
                                maskedFrame(0x81, new byte[] {127, (byte) 0x80, 0, 0, 0, 0, 0, 0, 1}, new byte[0]))),
                violation(
                        "continuation frame with nothing to continue",
                        1002,
                        c -> c.sendFrame(true, CONTINUATION, utf8("x"))),
                violation(
                        "text frame inside a fragmented message",
                        1002,
                        c -> c.sendFrame(false, TEXT, utf8("a")).sendFrame(true, TEXT, utf8("b"))),
                violation(
                        "binary frame inside a fragmented message",
                        1002,
                        c -> c.sendFrame(false, TEXT, utf8("a")).sendFrame(true, BINARY, utf8("b"))),
                violation("fragmented ping", 1002, c -> c.sendFrame(false, PING, utf8("p"))),
                violation("ping with a 126-byte payload", 1002, c -> c.sendFrame(true, PING, filled(126, 'p'))),
                violation(
                        "close with a 126-byte payload", 1002, c -> c.sendFrame(true, CLOSE, closePayload(1000, 124))),
                violation("close with a 1-byte payload", 1002, c -> c.sendFrame(true, CLOSE, new byte[] {0x03})),
                violation("invalid UTF-8 in a text frame", 1007, c -> c.sendFrame(true, TEXT, bytes(0x61, 0xC0, 0xAF))),
                violation(
                        "UTF-16 surrogate encoded as UTF-8",
                        1007,
                        c -> c.sendFrame(true, TEXT, bytes(0xED, 0xA0, 0x80))),
                violation(
                        "invalid UTF-8 sequence split across fragments",
                        1007,
                        c -> c.sendFrame(false, TEXT, bytes(0x61, 0xF0, 0x9F))
                                .sendFrame(true, CONTINUATION, bytes(0x28))),
                violation(
                        "text message ending inside a UTF-8 sequence",
                        1007,
                        c -> c.sendFrame(false, TEXT, bytes(0x61, 0xE2, 0x82))
                                .sendFrame(true, CONTINUATION, new byte[0])),
                violation(
                        "frame one byte over max-message-bytes",
                        1009,
                        c -> c.sendFrame(true, TEXT, filled(MAX_MESSAGE_BYTES + 1, 'a'))),
                violation(
                        "binary frame one byte over max-message-bytes",
                        1009,
                        c -> c.sendFrame(true, BINARY, filled(MAX_MESSAGE_BYTES + 1, 'a'))),
                violation(
                        "fragments adding up to one byte over max-message-bytes",
                        1009,
                        c -> c.sendFrame(false, TEXT, filled(600, 'a'))
                                .sendFrame(true, CONTINUATION, filled(MAX_MESSAGE_BYTES + 1 - 600, 'a'))));
    }

    private static Arguments violation(String name, int code, Consumer<RawWebSocket> frames) {
        return arguments(named(name, frames), code);
    }

    @ParameterizedTest(name = "{0} closes with {1}")
    @MethodSource("violations")
    void violationClosesWithItsCodeAndLeavesOtherClientsServed(Consumer<RawWebSocket> frames, int code) {
        try (WebSocketRecorder healthy = bind(server, "healthy");
                RawWebSocket client = bindRaw(server, "violator")) {
            frames.accept(client);

            RawWebSocket.Frame close = awaitCloseThenEof(client);
            assertThat(close.closeCode()).isEqualTo(code);
            if (code == 1009) {
                assertThat(close.closeReason()).isEqualTo("message larger than " + MAX_MESSAGE_BYTES + " bytes");
            }
            await().until(() -> !server.hub().isOnline("violator"));
            assertThat(push(server, message("violator", "gone"))).isEqualTo("fail");
            assertThat(serverCloses(server, CLOSE_STATS.get(code))).isEqualTo(1);
            assertThat(serverCloses(server, "1011 internal error")).isZero();

            String line = message("healthy", "after " + code);
            assertThat(push(server, line)).isEqualTo("ok");
            assertThat(healthy.awaitMessage()).isEqualTo(line);
        }
    }

    @Test
    void aMessageFarOverTheLimitGetsThe1009CloseFrameNotAReset() {
        // 1 MiB against a 1 KiB limit: the server decides after the first bytes while the rest is still
        // coming. Closing then, with unread input, would make the kernel send a reset that can destroy
        // the close frame; the server reads on and discards instead. Ten times, since it was a race.
        for (int i = 0; i < 10; i++) {
            try (RawWebSocket client = bindRaw(server, "flooder-" + i)) {
                client.sendFrame(true, TEXT, filled(1024 * 1024, 'a'));

                RawWebSocket.Frame close = awaitCloseThenEof(client);
                assertThat(close.closeCode()).as("attempt %d", i).isEqualTo(1009);
            }
        }
        assertThat(serverCloses(server, "1009 message too big")).isEqualTo(10);
        WebSocketTestSupport.assertServesHealthyClient(server);
    }

    @Test
    void clientThatDisconnectsInsideAFragmentedMessageIsNoServerError() {
        try (RawWebSocket client = bindRaw(server, "dropper")) {
            client.sendFrame(false, TEXT, utf8("the first half"));
        }
        await().until(() -> !server.hub().isOnline("dropper"));

        assertThat(serverCloses(server, "1011 internal error")).isZero();
        WebSocketTestSupport.assertServesHealthyClient(server);
    }

    @ParameterizedTest(name = "close code {0}")
    @ValueSource(ints = {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535})
    void closeWithAnInvalidCodeClosesWith1002(int code) {
        try (RawWebSocket client = bindRaw(server, "bad-closer")) {
            client.sendClose(code, "");

            assertThat(awaitCloseThenEof(client).closeCode()).isEqualTo(1002);
        }
        await().until(() -> !server.hub().isOnline("bad-closer"));
        assertThat(serverCloses(server, "1002 protocol error")).isEqualTo(1);
    }

    @Test
    void closeReasonThatIsNotUtf8ClosesWith1007() {
        try (RawWebSocket client = bindRaw(server, "bad-reason")) {
            ByteBuffer payload = ByteBuffer.allocate(4)
                    .putShort((short) 1000)
                    .put((byte) 0xC0)
                    .put((byte) 0xAF);
            client.sendFrame(true, CLOSE, payload.array());

            assertThat(awaitCloseThenEof(client).closeCode()).isEqualTo(1007);
        }
    }

    @Test
    void frameArrivingOneByteAtATimeIsReassembled() throws InterruptedException {
        try (RawWebSocket client = bindRaw(server, "trickle")) {
            byte[] frame = maskedFrame(0x81, new byte[] {126, 0x00, (byte) 200}, filled(200, 't'));
            for (byte b : frame) {
                client.sendRaw(new byte[] {b});
                Thread.sleep(1); // one TCP segment per byte
            }

            await().until(() -> server.stats().get("framesIgnored").equals(1L));
            assertReceivesPush(server, client, "trickle");
        }
    }

    @Test
    void stoppingTheServerClosesClientsWith1001() {
        try (WebSocketRecorder jdk = bind(server, "jdk");
                RawWebSocket raw = bindRaw(server, "raw")) {
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(server::stop);

            RawWebSocket.Frame close = completeServerClose(raw);
            assertThat(close.closeCode()).isEqualTo(1001);
            assertThat(close.closeReason()).isEqualTo("server shutting down");
            assertThat(jdk.awaitClose()).isEqualTo(new WebSocketRecorder.Close(1001, "server shutting down"));
            stopped.orTimeout(10, TimeUnit.SECONDS).join();
            assertThat(server.hub().connectionCount()).isZero();
            assertThat(serverCloses(server, "1001 server shutting down")).isEqualTo(2);
        }
    }

    @Test
    void messagesOfExactlyMaxMessageBytesAreAccepted() {
        try (RawWebSocket client = bindRaw(server, "sizer")) {
            client.sendFrame(true, TEXT, filled(MAX_MESSAGE_BYTES, 'a'));
            client.sendFrame(true, BINARY, filled(MAX_MESSAGE_BYTES, 'b'));
            client.sendFrame(false, TEXT, filled(400, 'c'))
                    .sendFrame(false, CONTINUATION, filled(400, 'c'))
                    .sendFrame(true, CONTINUATION, filled(MAX_MESSAGE_BYTES - 800, 'c'));

            // Three messages after the bind, each ignored once, the fragmented one as a whole.
            await().until(() -> server.stats().get("framesIgnored").equals(3L));
            assertReceivesPush(server, client, "sizer");
        }
    }

    @Test
    void fragmentedMessageWithPingsBetweenFragmentsIsOneMessage() {
        try (RawWebSocket client = bindRaw(server, "fragments")) {
            client.sendFrame(false, TEXT, utf8("one "));
            for (int i = 0; i < 3; i++) {
                byte[] ping = utf8("ping " + i);
                client.sendFrame(true, PING, ping).sendFrame(false, CONTINUATION, utf8("more "));
                RawWebSocket.Frame pong = client.readFrame();
                assertThat(pong.opcode()).isEqualTo(PONG);
                assertThat(pong.payload()).isEqualTo(ping);
            }
            client.sendFrame(true, CONTINUATION, utf8("end"));

            await().until(() -> server.stats().get("framesIgnored").equals(1L));
            assertThat(server.stats().get("framesReceived")).isEqualTo(2L);
            assertReceivesPush(server, client, "fragments");
        }
    }

    @Test
    void emptyFragmentsAndValidUtf8SplitInsideACharacterAreAccepted() {
        byte[] euro = utf8("\u20ac");
        try (RawWebSocket client = bindRaw(server, "splitter")) {
            client.sendFrame(false, TEXT, new byte[0])
                    .sendFrame(false, CONTINUATION, new byte[] {euro[0]})
                    .sendFrame(false, CONTINUATION, new byte[] {euro[1], euro[2], (byte) 0xF0, (byte) 0x9F})
                    .sendFrame(true, CONTINUATION, new byte[] {(byte) 0x98, (byte) 0x80});

            await().until(() -> server.stats().get("framesIgnored").equals(1L));
            assertReceivesPush(server, client, "splitter");
        }
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        IntStream.range(0, values.length).forEach(i -> bytes[i] = (byte) values[i]);
        return bytes;
    }

    static byte[] filled(int length, char c) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) c);
        return bytes;
    }

    /**
     * A masked frame with the given first byte and length bytes as they go on the wire (so that the
     * length encoding can be a non-minimal one), masked with a zero key.
     */
    private static byte[] maskedFrame(int first, byte[] length, byte[] payload) {
        return ByteBuffer.allocate(1 + length.length + 4 + payload.length)
                .put((byte) first)
                .put((byte) (length[0] | 0x80))
                .put(length, 1, length.length - 1)
                .putInt(0)
                .put(payload)
                .array();
    }

    private static byte[] closePayload(int code, int reasonBytes) {
        return ByteBuffer.allocate(2 + reasonBytes)
                .putShort((short) code)
                .put(filled(reasonBytes, 'r'))
                .array();
    }
}
