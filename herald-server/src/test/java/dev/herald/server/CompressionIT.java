package dev.herald.server;

import static dev.herald.server.WebSocketTestSupport.assertServesHealthyClient;
import static dev.herald.server.WebSocketTestSupport.awaitCloseThenEof;
import static dev.herald.server.WebSocketTestSupport.bindRaw;
import static dev.herald.server.WebSocketTestSupport.message;
import static dev.herald.server.WebSocketTestSupport.push;
import static dev.herald.server.WebSocketTestSupport.serverCloses;
import static dev.herald.testkit.RawWebSocket.CONTINUATION;
import static dev.herald.testkit.RawWebSocket.PING;
import static dev.herald.testkit.RawWebSocket.TEXT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.herald.testkit.NettyWebSocketClient;
import dev.herald.testkit.RawWebSocket;
import dev.herald.testkit.WebSocketRecorder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * permessage-deflate (RFC 7692) with {@code websocket.compression}: negotiated only when offered and
 * enabled, always with {@code server_no_context_takeover}; pushes arrive intact and compressed on the
 * wire; inflated client messages count against {@code websocket.max-message-bytes}.
 */
class CompressionIT {

    private static final byte[] DEFLATE_TAIL = {0x00, 0x00, (byte) 0xFF, (byte) 0xFF};

    private HeraldServer server;

    private void start(String... config) {
        server = TestServer.start(config);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void nettyClientNegotiatesCompressionAndReceivesCompressedPushes() {
        start("websocket.compression", "true");
        try (NettyWebSocketClient client = NettyWebSocketClient.connect(TestServer.ws(server), true)) {
            assertThat(client.compressionNegotiated()).isTrue();
            client.sendText("zipped");
            await().until(() -> server.hub().isOnline("zipped"));

            String line = message("zipped", "progress ".repeat(200));
            assertThat(push(server, line)).isEqualTo("ok");
            assertThat(client.awaitMessage()).isEqualTo(line);
            assertThat(client.compressedFrames()).isEqualTo(1);
        }
    }

    @Test
    void severalPushesInARowEachArriveIntactAndCompressed() {
        start("websocket.compression", "true");
        try (NettyWebSocketClient client = NettyWebSocketClient.connect(TestServer.ws(server), true)) {
            client.sendText("series");
            await().until(() -> server.hub().isOnline("series"));

            List<String> lines = new ArrayList<>();
            lines.add(message("series", "a"));
            lines.add(message("series", "percent 88%"));
            lines.add(message("series", "\u8fdb\u5ea6 ".repeat(1000)));
            lines.add(message("series", "x".repeat(100_000)));
            lines.add(message("series", "the last one"));
            for (String line : lines) {
                assertThat(push(server, line)).isEqualTo("ok");
            }
            for (String line : lines) {
                assertThat(client.awaitMessage()).isEqualTo(line);
            }
            assertThat(client.compressedFrames()).isEqualTo(lines.size());
        }
    }

    @Test
    void handshakeAnswerCarriesServerNoContextTakeoverAndTheWireCarriesDeflate() throws DataFormatException {
        start("websocket.compression", "true");
        Map<String, String> offer = Map.of("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits");
        try (RawWebSocket client = RawWebSocket.connect(server.websocketAddress(), "/", offer)) {
            String extensions = client.handshake().headers().get("sec-websocket-extensions");
            assertThat(extensions).startsWith("permessage-deflate").contains("server_no_context_takeover");

            // An uncompressed message is allowed under permessage-deflate: the uid is one.
            client.sendText("raw-zip");
            await().until(() -> server.hub().isOnline("raw-zip"));
            for (int i = 0; i < 3; i++) {
                String line = message("raw-zip", "push " + i + " " + "y".repeat(2000));
                assertThat(push(server, line)).isEqualTo("ok");

                RawWebSocket.Frame frame = client.readFrame();
                assertThat(frame.opcode()).isEqualTo(TEXT);
                assertThat(frame.rsv()).as("RSV1: compressed").isEqualTo(4);
                assertThat(frame.payload().length).isLessThan(line.length() / 4);
                // Each message inflates on its own: no context is carried over from the previous one.
                assertThat(inflate(frame.payload())).isEqualTo(line);
            }
        }
    }

    @Test
    void offerForASmallerServerWindowIsDeclined() {
        start("websocket.compression", "true");
        Map<String, String> offer = Map.of("Sec-WebSocket-Extensions", "permessage-deflate; server_max_window_bits=10");
        try (RawWebSocket client = RawWebSocket.connect(server.websocketAddress(), "/", offer)) {
            assertThat(client.handshake().headers()).doesNotContainKey("sec-websocket-extensions");
            client.sendText("declined");
            await().until(() -> server.hub().isOnline("declined"));

            String line = message("declined", "plain");
            assertThat(push(server, line)).isEqualTo("ok");
            RawWebSocket.Frame frame = client.readFrame();
            assertThat(frame.rsv()).isZero();
            assertThat(frame.text()).isEqualTo(line);
        }
    }

    @Test
    void broadcastReachesCompressingAndPlainClientsAlikeFromOneSharedDeflatedFrame() {
        start("websocket.compression", "true");
        List<NettyWebSocketClient> zipped = new ArrayList<>();
        try (WebSocketRecorder plain = WebSocketTestSupport.bind(server, "plain")) {
            for (int i = 0; i < 3; i++) {
                NettyWebSocketClient client = NettyWebSocketClient.connect(TestServer.ws(server), true);
                zipped.add(client);
                client.sendText("zipped-" + i);
            }
            await().until(() -> server.hub().connectionCount() == 4);

            for (int round = 0; round < 2; round++) {
                String body = "{\"round\":" + round + ",\"text\":\"" + "news ".repeat(500) + "\"}";
                assertThat(push(server, "broadcast {\"data\":" + body + "}"))
                        .isEqualTo("{\"connections\":4,\"uids\":4}");
                assertThat(plain.awaitMessage()).isEqualTo(body);
                for (NettyWebSocketClient client : zipped) {
                    assertThat(client.awaitMessage()).isEqualTo(body);
                    assertThat(client.compressedFrames()).isEqualTo(round + 1);
                }
            }
        } finally {
            zipped.forEach(NettyWebSocketClient::close);
        }
    }

    @Test
    void clientsThatDoNotOfferCompressionGetPlainFramesFromACompressingServer() {
        start("websocket.compression", "true");
        try (WebSocketRecorder jdk = WebSocketTestSupport.bind(server, "jdk");
                NettyWebSocketClient netty = NettyWebSocketClient.connect(TestServer.ws(server), false)) {
            netty.sendText("plain-netty");
            await().until(() -> server.hub().isOnline("plain-netty"));

            String toJdk = message("jdk", "uncompressed");
            String toNetty = message("plain-netty", "uncompressed");
            assertThat(push(server, toJdk)).isEqualTo("ok");
            assertThat(push(server, toNetty)).isEqualTo("ok");
            assertThat(jdk.awaitMessage()).isEqualTo(toJdk);
            assertThat(netty.awaitMessage()).isEqualTo(toNetty);
            assertThat(netty.compressionNegotiated()).isFalse();
            assertThat(netty.compressedFrames()).isZero();
        }
    }

    @Test
    void compressedClientMessageIsLimitedByItsInflatedSize() {
        start("websocket.compression", "true", "websocket.max-message-bytes", "1KiB");
        try (NettyWebSocketClient client = NettyWebSocketClient.connect(TestServer.ws(server), true)) {
            client.sendText("bomber");
            await().until(() -> server.hub().isOnline("bomber"));

            // 100 KB of one letter deflates to a few hundred bytes, far under the 1 KiB frame limit.
            client.sendText("a".repeat(100_000));

            assertThat(client.awaitClose().code()).isEqualTo(1009);
            await().until(() -> !server.hub().isOnline("bomber"));
        }
    }

    static Stream<Arguments> reservedBits() {
        return Stream.of(
                reservedBits(
                        "RSV1 on a connection that did not negotiate compression",
                        false,
                        c -> c.sendFrame(true, 4, TEXT, utf8("x"), true)),
                reservedBits("RSV2 on a compressed connection", true, c -> c.sendFrame(true, 2, TEXT, utf8("x"), true)),
                reservedBits("RSV3 on a compressed connection", true, c -> c.sendFrame(true, 1, TEXT, utf8("x"), true)),
                reservedBits("RSV1 on a ping", true, c -> c.sendFrame(true, 4, PING, utf8("p"), true)),
                reservedBits(
                        "RSV1 on a continuation of an uncompressed message",
                        true,
                        c -> c.sendFrame(false, 0, TEXT, utf8("a"), true)
                                .sendFrame(true, 4, CONTINUATION, utf8("b"), true)));
    }

    private static Arguments reservedBits(String name, boolean offerCompression, Consumer<RawWebSocket> frames) {
        return arguments(named(name, frames), offerCompression);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reservedBits")
    void reservedBitsThatNoNegotiatedExtensionDefinesCloseWith1002(Consumer<RawWebSocket> frames, boolean offer) {
        start("websocket.compression", "true");
        Map<String, String> headers = offer ? Map.of("Sec-WebSocket-Extensions", "permessage-deflate") : Map.of();
        try (RawWebSocket client = RawWebSocket.connect(server.websocketAddress(), "/", headers)) {
            assertThat(client.handshake().headers().containsKey("sec-websocket-extensions"))
                    .isEqualTo(offer);
            client.sendText("reserved");
            await().until(() -> server.hub().isOnline("reserved"));

            frames.accept(client);

            assertThat(awaitCloseThenEof(client).closeCode()).isEqualTo(1002);
        }
        await().until(() -> !server.hub().isOnline("reserved"));
        assertThat(server.stats().get("framesIgnored")).isEqualTo(0L);
        assertServesHealthyClient(server);
    }

    static Stream<Arguments> corruptDeflateData() {
        return Stream.of(
                arguments(named("reserved block type", new byte[] {0x07, 0x00})),
                arguments(named("stored block with mismatched lengths", new byte[] {0x00, 0x05, 0x00, 0x05, 0x00})),
                arguments(named("arbitrary bytes", new byte[] {0x01, 0x02, 0x03, 0x04, 0x05})));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptDeflateData")
    void compressedFrameThatDoesNotInflateClosesWith1002(byte[] payload) {
        start("websocket.compression", "true");
        Map<String, String> offer = Map.of("Sec-WebSocket-Extensions", "permessage-deflate");
        try (RawWebSocket client = RawWebSocket.connect(server.websocketAddress(), "/", offer)) {
            client.sendText("corrupt");
            await().until(() -> server.hub().isOnline("corrupt"));

            client.sendFrame(true, 4, TEXT, payload, true);

            RawWebSocket.Frame close = client.awaitClose();
            assertThat(close.closeCode()).isEqualTo(1002);
            assertThat(close.closeReason()).isEqualTo("invalid compressed data");
        }
        // The connection is gone for the server too: not left bound to a uid after the client left.
        await().until(() -> !server.hub().isOnline("corrupt"));
        assertThat(server.hub().connectionCount()).isZero();
        assertThat(serverCloses(server, "1002 protocol error")).isEqualTo(1);
        assertThat(serverCloses(server, "1009 message too big")).isZero();
        assertServesHealthyClient(server);
    }

    @Test
    void withCompressionOffTheExtensionIsNotNegotiatedAndMessagesStillArrive() {
        start();
        try (NettyWebSocketClient client = NettyWebSocketClient.connect(TestServer.ws(server), true)) {
            assertThat(client.compressionNegotiated()).isFalse();
            client.sendText("uncompressed");
            await().until(() -> server.hub().isOnline("uncompressed"));

            String line = message("uncompressed", "progress ".repeat(200));
            assertThat(push(server, line)).isEqualTo("ok");
            assertThat(client.awaitMessage()).isEqualTo(line);
            assertThat(client.compressedFrames()).isZero();
        }
        Map<String, String> offer = Map.of("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits");
        try (RawWebSocket raw = RawWebSocket.connect(server.websocketAddress(), "/", offer)) {
            assertThat(raw.handshake().headers()).doesNotContainKey("sec-websocket-extensions");
        }
        try (RawWebSocket raw = bindRaw(server, "raw-plain")) {
            String line = message("raw-plain", "plain");
            assertThat(push(server, line)).isEqualTo("ok");
            RawWebSocket.Frame frame = raw.readFrame();
            assertThat(frame.rsv()).isZero();
            assertThat(frame.text()).isEqualTo(line);
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Inflates one permessage-deflate message (RFC 7692 §7.2.2: append the stripped 00 00 FF FF). */
    private static String inflate(byte[] payload) throws DataFormatException {
        Inflater inflater = new Inflater(true);
        try {
            byte[] input = new byte[payload.length + DEFLATE_TAIL.length];
            System.arraycopy(payload, 0, input, 0, payload.length);
            System.arraycopy(DEFLATE_TAIL, 0, input, payload.length, DEFLATE_TAIL.length);
            inflater.setInput(input);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = inflater.inflate(buffer)) > 0) {
                out.write(buffer, 0, n);
            }
            return out.toString(StandardCharsets.UTF_8);
        } finally {
            inflater.end();
        }
    }
}
