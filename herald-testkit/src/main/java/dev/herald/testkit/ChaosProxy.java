package dev.herald.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy for tests that breaks connections the way networks do: {@link #cut} resets one (both sides
 * see the connection close), {@link #silence} makes one go silent (the proxy keeps both sockets open and
 * drops everything either side sends, as a NAT timeout or a tunnel does: no FIN reaches anyone, and the
 * server's writes succeed while the client gets nothing). Loopback only; blocking sockets, two threads
 * per connection, for the few dozen connections a test opens.
 */
public final class ChaosProxy implements AutoCloseable {

    /** One proxied connection. */
    public final class Link {
        final Socket client;
        final Socket server;
        volatile boolean silent;

        Link(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void pump(InputStream in, OutputStream out) {
            byte[] buffer = new byte[16 * 1024];
            try {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    if (!silent) {
                        out.write(buffer, 0, read);
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // one side closed or was reset: close the other
            } finally {
                close();
            }
        }

        void close() {
            closeQuietly(client);
            closeQuietly(server);
            links.remove(this);
        }
    }

    private final InetSocketAddress target;
    private final ServerSocket listener;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final AtomicInteger cuts = new AtomicInteger();
    private final AtomicInteger silences = new AtomicInteger();
    private volatile boolean closed;

    private ChaosProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "chaos-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy on a free loopback port in front of {@code target}. */
    public static ChaosProxy start(InetSocketAddress target) {
        try {
            return new ChaosProxy(target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                try {
                    server.connect(target, 5000);
                } catch (IOException e) {
                    closeQuietly(client);
                    continue;
                }
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                Link link = new Link(client, server);
                links.add(link);
                start(() -> link.pump(client.getInputStream(), server.getOutputStream()));
                start(() -> link.pump(server.getInputStream(), client.getOutputStream()));
            } catch (IOException e) {
                if (!closed) {
                    continue;
                }
                return;
            }
        }
    }

    private interface Pump {
        void run() throws IOException;
    }

    private static void start(Pump pump) {
        Thread thread = new Thread(
                () -> {
                    try {
                        pump.run();
                    } catch (IOException e) {
                        // the link closes itself
                    }
                },
                "chaos-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    /** Open connections that are not silenced. */
    public List<Link> live() {
        List<Link> live = new ArrayList<>();
        for (Link link : links) {
            if (!link.silent) {
                live.add(link);
            }
        }
        return live;
    }

    /** Resets a random live connection (an abortive close on both sides); whether there was one. */
    public boolean cut(Random random) {
        List<Link> live = live();
        if (live.isEmpty()) {
            return false;
        }
        Link link = live.get(random.nextInt(live.size()));
        try {
            link.client.setSoLinger(true, 0);
            link.server.setSoLinger(true, 0);
        } catch (IOException e) {
            // closing anyway
        }
        link.close();
        cuts.incrementAndGet();
        return true;
    }

    /** Silences a random live connection: from now on nothing passes either way and nothing closes. */
    public boolean silence(Random random) {
        List<Link> live = live();
        if (live.isEmpty()) {
            return false;
        }
        live.get(random.nextInt(live.size())).silent = true;
        silences.incrementAndGet();
        return true;
    }

    public int cuts() {
        return cuts.get();
    }

    public int silences() {
        return silences.get();
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        for (Link link : links) {
            link.close();
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // nothing to do
        }
    }
}
