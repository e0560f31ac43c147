package dev.herald.client;

import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A scripted TCP server on a free loopback port, for what a real Herald never does: stay silent, or
 * drop a connection with calls in flight. Accepts every connection; the test reads and writes them.
 * Every wait is bounded (10 s).
 */
final class TcpPeer implements AutoCloseable {

    private static final int TIMEOUT_MILLIS = 10_000;

    private final ServerSocket server;
    private final BlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
    private final List<Connection> all = new CopyOnWriteArrayList<>();

    private TcpPeer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "tcp-peer-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static TcpPeer start() {
        try {
            return new TcpPeer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", server.getLocalPort());
    }

    private void accept() {
        try {
            while (true) {
                Socket socket = server.accept();
                socket.setSoTimeout(TIMEOUT_MILLIS);
                Connection connection = new Connection(socket);
                all.add(connection);
                accepted.add(connection);
            }
        } catch (IOException e) {
            // closed
        }
    }

    /** The next accepted connection, waiting up to 10 s. */
    Connection awaitConnection() {
        try {
            Connection connection = accepted.poll(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            if (connection == null) {
                fail("no connection within " + TIMEOUT_MILLIS + " ms");
            }
            return connection;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Whether a connection was accepted that no {@link #awaitConnection()} took. */
    boolean hasUnclaimedConnection() {
        return !accepted.isEmpty();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing
        }
        all.forEach(Connection::close);
    }

    static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        }

        /** The next line the client wrote, waiting up to 10 s; {@code null} at the end of the stream. */
        String readLine() {
            try {
                return in.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void write(String text) {
            try {
                socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
                socket.getOutputStream().flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Whether the client closed the connection (end of stream or reset) within 10 s, skipping what it wrote. */
        boolean closedByClient() {
            try {
                while (in.readLine() != null) {
                    // what the client wrote before closing
                }
                return true;
            } catch (SocketException e) {
                return true; // reset
            } catch (IOException e) {
                return false; // timed out: still open
            }
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
}
