package dev.herald.testkit;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a plain socket that writes exactly the frames a test asks for, valid or not,
 * and reads frames one by one (pings are not answered unless the test does). For RFC 6455 edge cases
 * that well-behaved clients cannot produce. Reads time out after 10 s.
 */
public final class RawWebSocket implements AutoCloseable {

    public static final int CONTINUATION = 0x0;
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    /** One frame received from the server. */
    public record Frame(boolean fin, int rsv, int opcode, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The status code of a close frame, or 1005 if it carries none. */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
        }

        public String closeReason() {
            return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }

        @Override
        public String toString() {
            return "Frame[opcode=" + opcode + ", fin=" + fin + ", " + payload.length + " bytes]";
        }
    }

    /** An HTTP response: status, headers with lower-case names, body. */
    public record HttpResponse(int status, Map<String, String> headers, String body) {}

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final HttpResponse handshake;
    private final String key;

    private RawWebSocket(Socket socket, DataInputStream in, HttpResponse handshake, String key) throws IOException {
        this.socket = socket;
        this.in = in;
        this.out = socket.getOutputStream();
        this.handshake = handshake;
        this.key = key;
    }

    /** Performs a valid version-13 handshake on {@code path} with extra headers; fails unless 101. */
    public static RawWebSocket connect(InetSocketAddress address, String path, Map<String, String> extraHeaders) {
        return connect(address, path, extraHeaders, 0);
    }

    /**
     * Like {@link #connect(InetSocketAddress, String, Map)}, with the socket's receive buffer (SO_RCVBUF)
     * set to {@code receiveBufferBytes} before connecting, so that a client that stops reading makes the
     * server's writes back up sooner; 0 keeps the system default.
     */
    public static RawWebSocket connect(
            InetSocketAddress address, String path, Map<String, String> extraHeaders, int receiveBufferBytes) {
        Socket socket = open(address, receiveBufferBytes);
        String key = newKey();
        try {
            StringBuilder request = new StringBuilder()
                    .append("GET ")
                    .append(path)
                    .append(" HTTP/1.1\r\n")
                    .append("Host: ")
                    .append(address.getHostString())
                    .append(':')
                    .append(address.getPort())
                    .append("\r\n")
                    .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                    .append("Sec-WebSocket-Key: ")
                    .append(key)
                    .append("\r\n")
                    .append("Sec-WebSocket-Version: 13\r\n");
            extraHeaders.forEach((name, value) ->
                    request.append(name).append(": ").append(value).append("\r\n"));
            request.append("\r\n");
            socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.US_ASCII));
            DataInputStream in = new DataInputStream(socket.getInputStream());
            HttpResponse response = readHead(in);
            if (response.status() != 101) {
                throw new AssertionError("handshake refused: " + response);
            }
            return new RawWebSocket(socket, in, response, key);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new UncheckedIOException(e);
        }
    }

    public static RawWebSocket connect(InetSocketAddress address) {
        return connect(address, "/", Map.of());
    }

    /**
     * Sends a raw HTTP request and reads the response head and body (up to Content-Length, or until the
     * server closes).
     */
    public static HttpResponse request(InetSocketAddress address, String rawRequest) {
        try (Socket socket = open(address, 0)) {
            socket.getOutputStream().write(rawRequest.getBytes(StandardCharsets.ISO_8859_1));
            DataInputStream in = new DataInputStream(socket.getInputStream());
            HttpResponse head = readHead(in);
            String length = head.headers().get("content-length");
            byte[] body;
            if (length != null) {
                body = new byte[Integer.parseInt(length.trim())];
                in.readFully(body);
            } else {
                body = in.readAllBytes();
            }
            return new HttpResponse(head.status(), head.headers(), new String(body, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public HttpResponse handshake() {
        return handshake;
    }

    /** The {@code Sec-WebSocket-Key} this client sent in its handshake. */
    public String key() {
        return key;
    }

    public static String newKey() {
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    public RawWebSocket sendText(String text) {
        return sendFrame(true, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends one masked frame. */
    public RawWebSocket sendFrame(boolean fin, int opcode, byte[] payload) {
        return sendFrame(fin, 0, opcode, payload, true);
    }

    /** Sends one frame with any header bits, masked or not. */
    public RawWebSocket sendFrame(boolean fin, int rsv, int opcode, byte[] payload, boolean mask) {
        ByteBuffer frame = ByteBuffer.allocate(14 + payload.length);
        frame.put((byte) ((fin ? 0x80 : 0) | (rsv << 4) | opcode));
        int maskBit = mask ? 0x80 : 0;
        if (payload.length < 126) {
            frame.put((byte) (maskBit | payload.length));
        } else if (payload.length < 65536) {
            frame.put((byte) (maskBit | 126)).putShort((short) payload.length);
        } else {
            frame.put((byte) (maskBit | 127)).putLong(payload.length);
        }
        byte[] key = new byte[4];
        if (mask) {
            ThreadLocalRandom.current().nextBytes(key);
            frame.put(key);
        }
        for (int i = 0; i < payload.length; i++) {
            frame.put((byte) (payload[i] ^ key[i & 3]));
        }
        return sendRaw(java.util.Arrays.copyOf(frame.array(), frame.position()));
    }

    /** A close frame with a status code and reason. */
    public RawWebSocket sendClose(int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        ByteBuffer payload =
                ByteBuffer.allocate(2 + text.length).putShort((short) code).put(text);
        return sendFrame(true, CLOSE, payload.array());
    }

    public RawWebSocket sendRaw(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next frame, or {@code null} when the server has closed the TCP connection. */
    public Frame readFrame() {
        try {
            int first = in.read();
            if (first < 0) {
                return null;
            }
            int second = in.readUnsignedByte();
            long length = second & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            if ((second & 0x80) != 0) {
                throw new AssertionError("server frames must not be masked");
            }
            byte[] payload = new byte[Math.toIntExact(length)];
            in.readFully(payload);
            return new Frame((first & 0x80) != 0, (first >> 4) & 0x7, first & 0x0F, payload);
        } catch (EOFException | SocketException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads frames until a close frame, skipping pings and data; fails if the connection ends first. */
    public Frame awaitClose() {
        for (Frame frame = readFrame(); frame != null; frame = readFrame()) {
            if (frame.opcode() == CLOSE) {
                return frame;
            }
        }
        throw new AssertionError("connection ended without a close frame");
    }

    /** Whether the server closes the TCP connection (after any frames) within the read timeout. */
    public boolean awaitEof() {
        while (readFrame() != null) {
            // drain
        }
        return true;
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    private static Socket open(InetSocketAddress address, int receiveBufferBytes) {
        try {
            Socket socket = new Socket();
            if (receiveBufferBytes > 0) {
                socket.setReceiveBufferSize(receiveBufferBytes);
            }
            socket.connect(address, 10_000);
            socket.setSoTimeout((int) WebSocketRecorder.TIMEOUT.toMillis());
            socket.setTcpNoDelay(true);
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HttpResponse readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed in the response head: " + head);
            }
            head.write(b);
            matched = (b == '\r' || b == '\n') && (matched % 2 == 0 ? b == '\r' : b == '\n') ? matched + 1 : 0;
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(
                        lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
        }
        return new HttpResponse(status, headers, "");
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing
        }
    }
}
