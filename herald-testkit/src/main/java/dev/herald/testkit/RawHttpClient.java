package dev.herald.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * An HTTP/1.x client on a raw socket, for what {@code java.net.http} will not send: pipelined requests
 * in one write, malformed requests, {@code Expect}, {@code Connection}, HTTP/1.0. Writes bytes exactly
 * as given; reads responses framed by {@code Content-Length}. Reads time out after 10 s.
 */
public final class RawHttpClient implements AutoCloseable {

    /** A response as read off the wire; header names in lower case. */
    public record Response(int status, String statusLine, Map<String, List<String>> headers, byte[] body) {

        /** The first value of a header, or {@code null}. */
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : values.get(0);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    private RawHttpClient(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new BufferedInputStream(socket.getInputStream());
    }

    public static RawHttpClient connect(InetSocketAddress address) {
        return connect(address, null);
    }

    /** Connects from {@code local} (an address of this machine, any port), or from any if {@code null}. */
    public static RawHttpClient connect(InetSocketAddress address, InetSocketAddress local) {
        try {
            Socket socket = new Socket();
            if (local != null) {
                socket.bind(local);
            }
            socket.connect(address, 10_000);
            socket.setSoTimeout((int) WebSocketRecorder.TIMEOUT.toMillis());
            socket.setTcpNoDelay(true);
            return new RawHttpClient(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the string's UTF-8 bytes exactly, in one write. */
    public RawHttpClient write(String raw) {
        return write(raw.getBytes(StandardCharsets.UTF_8));
    }

    public RawHttpClient write(byte[] raw) {
        try {
            out.write(raw);
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one response with its body (of {@code Content-Length} bytes); fails at end of stream. */
    public Response read() {
        return read(false);
    }

    /** Reads one response to a {@code HEAD} request: headers only, whatever {@code Content-Length} says. */
    public Response readHead() {
        return read(true);
    }

    private Response read(boolean head) {
        try {
            String statusLine = line();
            if (statusLine == null) {
                throw new IllegalStateException("the server closed the connection before a response");
            }
            String[] parts = statusLine.split(" ", 3);
            int status = Integer.parseInt(parts[1]);
            Map<String, List<String>> headers = new TreeMap<>();
            for (String header = line(); header != null && !header.isEmpty(); header = line()) {
                int colon = header.indexOf(':');
                headers.computeIfAbsent(
                                header.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(header.substring(colon + 1).trim());
            }
            List<String> length = headers.get("content-length");
            byte[] body = new byte[0];
            if (!head && length != null && status >= 200) {
                body = in.readNBytes(Integer.parseInt(length.get(0)));
            }
            return new Response(status, statusLine, headers, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether the server closed the connection: the next read ends the stream (or the connection was
     * reset) within the read timeout, with no byte before.
     */
    public boolean isClosedByServer() {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    public Socket socket() {
        return socket;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing
        }
    }
}
