package dev.herald.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A raw TCP client of the Text port: writes bytes as given, reads reply lines. Reads time out after 10 s. */
public final class TextPortClient implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;
    private final BufferedReader in;

    private TextPortClient(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }

    public static TextPortClient connect(InetSocketAddress address) {
        try {
            Socket socket = new Socket();
            socket.connect(address, 10_000);
            socket.setSoTimeout((int) WebSocketRecorder.TIMEOUT.toMillis());
            socket.setTcpNoDelay(true);
            return new TextPortClient(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the string's UTF-8 bytes exactly (add the {@code \n} yourself). */
    public TextPortClient write(String raw) {
        return write(raw.getBytes(StandardCharsets.UTF_8));
    }

    public TextPortClient write(byte[] raw) {
        try {
            out.write(raw);
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next reply line without its {@code \n}, or {@code null} if the server closed the connection. */
    public String readLine() {
        try {
            return in.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code line + "\n"} and reads one reply line. */
    public String request(String line) {
        write(line + "\n");
        return readLine();
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
