package dev.herald.netty.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.CloseReason;
import dev.herald.core.Hub;
import dev.herald.core.Pusher;
import dev.herald.core.engine.MemoryEngine;
import dev.herald.core.testkit.Fuzz;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The client connection's pipeline ({@link WebSocketInitializer}: handshake, then {@link
 * ClientFrameHandler}) on an {@link EmbeddedChannel}, fed random and mutated opening handshakes and
 * WebSocket frames, split at random points. Whatever arrives, nothing is thrown out of the pipeline,
 * a refused handshake is answered with an HTTP status, and a close is one of the documented codes
 * (README "Close codes"), never 1011 (an unexpected server error), or the code the client sent
 * itself (echoed).
 */
class ClientFrameFuzzTest {

    private static final Set<Integer> DOCUMENTED = EnumSet.allOf(CloseReason.class).stream()
            .filter(reason -> reason != CloseReason.INTERNAL_ERROR)
            .map(CloseReason::code)
            .collect(Collectors.toSet());

    private static final int CONTINUATION = 0x0;
    private static final int TEXT = 0x1;
    private static final int BINARY = 0x2;
    private static final int CLOSE = 0x8;
    private static final int PING = 0x9;
    private static final int PONG = 0xA;

    /** A client frame, before it is written: what the fuzzer varies. */
    record Frame(boolean fin, int rsv, int opcode, boolean masked, boolean longLength, byte[] payload) {}

    private static WebSocketConfig config(boolean compression) {
        WebSocketConfig d = WebSocketConfig.defaults();
        return new WebSocketConfig(
                d.host(),
                d.port(),
                1024, // max-message-bytes: small, so that fragments and frames cross it
                16,
                compression,
                d.compressionLevel(),
                d.pingInterval(),
                d.pongTimeout(),
                d.bindTimeout(),
                d.maxOutboundBytes(),
                true, // client groups: join/leave messages are read too
                d.allowedOrigins(),
                ClientLimits.NONE);
    }

    private static String handshake(String protocol, boolean deflate) {
        return "GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + (protocol == null ? "" : "Sec-WebSocket-Protocol: " + protocol + "\r\n")
                + (deflate ? "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" : "")
                + "\r\n";
    }

    @Test
    void framesNeverCrashTheConnection() {
        Fuzz.forAll("framesNeverCrashTheConnection", generator -> {
            List<Frame> frames = frameLists(generator);
            boolean positioned = generator.nextBoolean();
            boolean deflate = generator.nextBoolean();
            // 0: as generated; 1..4: one byte flipped, dropped, inserted, or the stream cut short
            int kind = generator.nextInt(7) < 4 ? 0 : 1 + generator.nextInt(4);
            Random random = new Random(generator.nextLong());
            EmbeddedChannel channel = channel(deflate);
            try {
                write(
                        channel,
                        handshake(positioned ? "herald.v1" : null, deflate).getBytes(StandardCharsets.US_ASCII),
                        0);
                Answer handshake = answer(channel);
                assertThat(handshake.status()).isEqualTo(101);

                Set<Integer> sent = new HashSet<>();
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                for (Frame frame : frames) {
                    if (frame.opcode() == CLOSE && frame.payload().length >= 2) {
                        sent.add(((frame.payload()[0] & 0xFF) << 8) | (frame.payload()[1] & 0xFF));
                    }
                    bytes.writeBytes(encode(frame, random));
                }
                byte[] stream = mutate(bytes.toByteArray(), kind, random);
                write(channel, stream, random.nextLong());

                for (int code : answer(channel).closeCodes()) {
                    assertThat(DOCUMENTED.contains(code) || sent.contains(code))
                            .as("close code %d is documented or the client's own", code)
                            .isTrue();
                }
            } finally {
                channel.finishAndReleaseAll();
            }
        });
    }

    @Test
    void handshakesAreUpgradedOrAnsweredWithAStatus() {
        Fuzz.forAll("handshakesAreUpgradedOrAnsweredWithAStatus", r -> {
            byte[] request = handshakes(r);
            long split = r.nextInt(8) == 0 ? 0 : r.nextLong();
            EmbeddedChannel channel = channel(true);
            try {
                write(channel, request, split);
                Answer answer = answer(channel);
                if (answer.status() != 0) {
                    assertThat(answer.status()).isIn(101, 400, 403, 404, 405, 413, 414, 426, 429, 431, 503, 505);
                }
            } finally {
                channel.finishAndReleaseAll();
            }
        });
    }

    private static String validHandshake(Random r) {
        String protocol = r.nextBoolean() ? null : Fuzz.oneOf(r, "herald.v1", "chat", "herald.v1, x");
        return handshake(protocol, r.nextBoolean());
    }

    private static byte[] handshakes(Random r) {
        int pick = r.nextInt(10);
        if (pick < 2) {
            return validHandshake(r).getBytes(StandardCharsets.US_ASCII);
        } else if (pick < 8) {
            byte[] bytes = validHandshake(r).getBytes(StandardCharsets.US_ASCII);
            for (int e = 1 + r.nextInt(6); e > 0; e--) {
                bytes = mutate(bytes, 1 + r.nextInt(4), r);
            }
            return bytes;
        } else if (pick < 9) {
            return Fuzz.oneOf(
                            r,
                            "GET /" + "a".repeat(5000) + " HTTP/1.1\r\n\r\n",
                            "GET / HTTP/1.1\r\nX: " + "b".repeat(9000) + "\r\n\r\n",
                            "POST / HTTP/1.1\r\nContent-Length: 100000\r\n\r\n" + "c".repeat(9000))
                    .getBytes(StandardCharsets.US_ASCII);
        }
        return Fuzz.bytes(r, 300);
    }

    private static List<Frame> frameLists(Random r) {
        boolean wellFormed = r.nextInt(5) < 3;
        List<Frame> frames = new ArrayList<>();
        for (int i = Fuzz.length(r, 1, 6); i > 0; i--) {
            frames.add(wellFormed ? wellFormedFrame(r) : frame(r));
        }
        return frames;
    }

    private static Frame wellFormedFrame(Random r) {
        int opcode = r.nextInt(9) < 8 ? TEXT : Fuzz.oneOf(r, BINARY, PING, PONG, CLOSE);
        byte[] payload = payloads(r);
        return new Frame(true, 0, opcode, true, false, opcode == CLOSE ? closePayload(payload) : payload);
    }

    private static Frame frame(Random r) {
        int o = r.nextInt(13);
        int opcode = o < 6
                ? TEXT
                : o < 8
                        ? CONTINUATION
                        : o < 9 ? BINARY : o < 11 ? CLOSE : o < 12 ? Fuzz.oneOf(r, PING, PONG) : r.nextInt(16);
        int v = r.nextInt(11);
        int rsv = v < 8 ? 0 : v < 10 ? 4 : Fuzz.oneOf(r, 2, 1, 7);
        boolean fin = r.nextInt(10) < 9;
        boolean masked = r.nextInt(10) < 9;
        boolean longLength = r.nextInt(10) == 0;
        byte[] payload = payloads(r);
        return new Frame(fin, rsv, opcode, masked, longLength, opcode == CLOSE ? closePayload(payload) : payload);
    }

    private static byte[] payloads(Random r) {
        int pick = r.nextInt(10);
        if (pick < 6) {
            String text = switch (r.nextInt(3)) {
                case 0 -> Fuzz.alpha(r, 0, 20);
                case 1 ->
                    Fuzz.oneOf(
                            r,
                            "{\"t\":\"hello\",\"uid\":\"u\",\"streams\":{}}",
                            "{\"t\":\"hello\",\"uid\":\"u\",\"streams\":{\"u:u\":{\"e\":\"x\",\"o\":3}}}",
                            "{\"t\":\"hello\",\"token\":\"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1In0.\"}",
                            "{\"t\":\"ack\",\"streams\":{\"u:u\":1}}",
                            "{\"t\":\"refresh\",\"token\":\"x\"}",
                            "{\"t\":\"pong\"}",
                            "{\"t\":\"ping\"}",
                            "{\"t\":\"nope\"}",
                            "join room",
                            "leave room",
                            "join " + "g".repeat(200),
                            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln",
                            "[]",
                            "{");
                default -> Fuzz.anyString(r, 30);
            };
            return text.getBytes(StandardCharsets.UTF_8);
        } else if (pick < 8) {
            return Fuzz.bytes(r, 40);
        } else if (pick < 9) {
            return new byte[Fuzz.between(r, 120, 1100)];
        }
        return r.nextBoolean() ? new byte[] {(byte) 0xC3} : new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80};
    }

    /** A close frame's payload: a code (valid, reserved or out of range) and a reason, or a lone byte. */
    private static byte[] closePayload(byte[] reason) {
        Random random = new Random(Arrays.hashCode(reason));
        int[] codes = {1000, 1001, 1002, 1005, 1006, 1011, 1015, 1016, 2999, 3000, 4000, 4999, 5000, 65535, 0};
        if (random.nextInt(8) == 0) {
            return random.nextBoolean() ? new byte[0] : new byte[] {3};
        }
        int code = codes[random.nextInt(codes.length)];
        byte[] payload = new byte[2 + Math.min(reason.length, 130)];
        payload[0] = (byte) (code >> 8);
        payload[1] = (byte) code;
        System.arraycopy(reason, 0, payload, 2, payload.length - 2);
        return payload;
    }

    private static byte[] encode(Frame frame, Random random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((frame.fin() ? 0x80 : 0) | (frame.rsv() << 4) | frame.opcode());
        int length = frame.payload().length;
        int mask = frame.masked() ? 0x80 : 0;
        if (length < 126 && !frame.longLength()) {
            out.write(mask | length);
        } else if (length < 65536) {
            out.write(mask | 126);
            out.write(length >> 8);
            out.write(length);
        } else {
            out.write(mask | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) length >> shift));
            }
        }
        byte[] key = new byte[4];
        random.nextBytes(key);
        if (frame.masked()) {
            out.writeBytes(key);
        }
        byte[] payload = frame.payload().clone();
        for (int i = 0; frame.masked() && i < payload.length; i++) {
            payload[i] ^= key[i & 3];
        }
        out.writeBytes(payload);
        return out.toByteArray();
    }

    private static byte[] mutate(byte[] bytes, int kind, Random random) {
        if (kind == 0 || bytes.length == 0) {
            return bytes;
        }
        int at = random.nextInt(bytes.length);
        return switch (kind) {
            case 1 -> {
                byte[] copy = bytes.clone();
                copy[at] ^= (byte) (1 << random.nextInt(8));
                yield copy;
            }
            case 2 -> {
                byte[] shorter = new byte[bytes.length - 1];
                System.arraycopy(bytes, 0, shorter, 0, at);
                System.arraycopy(bytes, at + 1, shorter, at, bytes.length - at - 1);
                yield shorter;
            }
            case 3 -> {
                byte[] longer = new byte[bytes.length + 1];
                System.arraycopy(bytes, 0, longer, 0, at);
                longer[at] = (byte) random.nextInt(256);
                System.arraycopy(bytes, at, longer, at + 1, bytes.length - at);
                yield longer;
            }
            default -> Arrays.copyOf(bytes, at);
        };
    }

    private static EmbeddedChannel channel(boolean compression) {
        Hub hub = new Hub();
        WebSocketInitializer initializer = new WebSocketInitializer(
                hub, new Pusher(new MemoryEngine(hub)), config(compression), 16, new WebSocketStats());
        return new EmbeddedChannel(initializer);
    }

    /** Writes {@code bytes} in a few pieces cut where {@code seed} says; rethrows what the pipeline threw. */
    private static void write(EmbeddedChannel channel, byte[] bytes, long seed) {
        Random random = new Random(seed);
        int at = 0;
        while (at < bytes.length && channel.isOpen()) {
            int n = seed == 0
                    ? bytes.length
                    : Math.min(bytes.length - at, 1 + random.nextInt(Math.max(1, bytes.length)));
            channel.writeInbound(Unpooled.wrappedBuffer(bytes, at, n));
            at += n;
        }
        channel.runPendingTasks();
        channel.checkException();
    }

    /** What the server wrote: the HTTP status (0 if none yet) and the codes of its close frames. */
    record Answer(int status, List<Integer> closeCodes) {}

    private static Answer answer(EmbeddedChannel channel) {
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        List<Integer> codes = new ArrayList<>();
        for (Object out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
            if (out instanceof ByteBuf buf) {
                byte[] copy = new byte[buf.readableBytes()];
                buf.getBytes(buf.readerIndex(), copy);
                written.writeBytes(copy);
                buf.release();
            } else if (out instanceof CloseWebSocketFrame close) {
                codes.add(close.statusCode());
                close.release();
            } else {
                io.netty.util.ReferenceCountUtil.release(out);
            }
        }
        byte[] bytes = written.toByteArray();
        int status = 0;
        int at = 0;
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        if (text.startsWith("HTTP/1.1 ")) {
            status = Integer.parseInt(text.substring(9, 12));
            int end = text.indexOf("\r\n\r\n");
            at = end < 0 ? bytes.length : end + 4;
            if (status != 101) {
                return new Answer(status, codes);
            }
        }
        // the server's frames: unmasked, lengths minimal
        while (at + 2 <= bytes.length) {
            int opcode = bytes[at] & 0x0F;
            long length = bytes[at + 1] & 0x7F;
            int header = 2;
            if (length == 126) {
                length = ((bytes[at + 2] & 0xFF) << 8) | (bytes[at + 3] & 0xFF);
                header = 4;
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | (bytes[at + 2 + i] & 0xFF);
                }
                header = 10;
            }
            if (opcode == CLOSE && length >= 2) {
                codes.add(((bytes[at + header] & 0xFF) << 8) | (bytes[at + header + 1] & 0xFF));
            }
            at += header + (int) length;
        }
        return new Answer(status, codes);
    }
}
