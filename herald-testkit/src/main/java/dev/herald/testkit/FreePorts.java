package dev.herald.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports for tests that must name a port before anything listens on it: a server started as a
 * process, a server restarted on the port it had, a port that nothing may listen on.
 *
 * <p>A port the kernel handed out ({@code new ServerSocket(0)}) and that was then released lies in the
 * kernel's ephemeral range, from which it hands ports out again at any moment: to the next {@code
 * bind(0)} (another listener of the same test) or as the source port of any {@code connect()} on the
 * machine, and a client connecting to such a port may even connect to itself. These ports are taken
 * from {@value #LOW}-{@value #HIGH}, below that range (Linux's is 32768-60999 unless configured
 * otherwise), so only a process that binds that very port can take it. Ports Herald uses by default
 * (1234, 5678, 5679) and the benchmark suite's (21234, 25678, 25679) are outside it.
 */
public final class FreePorts {

    static final int LOW = 10_000;
    static final int HIGH = 19_999;
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    private FreePorts() {}

    /**
     * {@code count} distinct ports that are free on 127.0.0.1 now (each was bound, all at once, then
     * released) and that the kernel does not hand out by itself.
     *
     * @throws IllegalStateException if the ephemeral range is configured to overlap {@value #LOW}-{@value
     *     #HIGH}
     */
    public static int[] take(int count) {
        checkOutsideEphemeralRange();
        List<ServerSocket> held = new ArrayList<>(count);
        try {
            for (int attempts = 0; held.size() < count; attempts++) {
                if (attempts > 1000) {
                    throw new IllegalStateException("no free port in " + LOW + "-" + HIGH + " after 1000 tries");
                }
                ServerSocket socket = tryBind(ThreadLocalRandom.current().nextInt(LOW, HIGH + 1));
                if (socket != null) {
                    held.add(socket);
                }
            }
            return held.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } finally {
            held.forEach(FreePorts::closeQuietly);
        }
    }

    /** One port; see {@link #take}. */
    public static int take() {
        return take(1)[0];
    }

    private static ServerSocket tryBind(int port) {
        ServerSocket socket = null;
        try {
            socket = new ServerSocket();
            socket.setReuseAddress(true); // as Herald's listeners: a port with connections in TIME_WAIT is free
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return socket;
        } catch (IOException taken) {
            if (socket != null) {
                closeQuietly(socket);
            }
            return null;
        }
    }

    private static void checkOutsideEphemeralRange() {
        if (!Files.isReadable(EPHEMERAL_RANGE)) {
            return; // not Linux: its defaults (49152-65535 on most systems) are above the range
        }
        try {
            // Read as lines: a /proc file's size reads as 0, which cuts Files.readString short.
            String[] range = Files.readAllLines(EPHEMERAL_RANGE, StandardCharsets.US_ASCII)
                    .get(0)
                    .trim()
                    .split("\\s+");
            int low = Integer.parseInt(range[0]);
            int high = Integer.parseInt(range[1]);
            if (low <= HIGH && high >= LOW) {
                throw new IllegalStateException("the kernel's ephemeral ports (" + low + "-" + high + ", "
                        + EPHEMERAL_RANGE + ") overlap the test ports " + LOW + "-" + HIGH);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void closeQuietly(ServerSocket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // releasing
        }
    }
}
