package dev.herald.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How much the kernel may hold of what a server writes to a loopback peer that does not read, for
 * back-pressure tests: they must write more than this, by a margin, before they can expect the
 * server to stop reading. Its value depends on the machine's settings, not on a constant.
 */
public final class SocketBuffers {

    /** Linux's defaults: tcp_wmem's maximum (4 MiB) and tcp_rmem's initial size (128 KiB). */
    private static final long LINUX_DEFAULT = 4 * 1024 * 1024 + 128 * 1024;
    /** Where the settings are unknown: four times Linux's defaults. */
    private static final long UNKNOWN = 4 * LINUX_DEFAULT;

    private SocketBuffers() {}

    /**
     * The bytes the kernel buffers on one loopback connection whose reader does not read: the sender's
     * send buffer at its autotuning maximum (the third value of {@code net.ipv4.tcp_wmem}) and the
     * reader's receive buffer at its initial size (the second of {@code net.ipv4.tcp_rmem}; autotuning
     * grows it only as the reader reads). {@value #UNKNOWN} where these cannot be read.
     */
    public static long unreadCapacity() {
        long[] wmem = read("tcp_wmem");
        long[] rmem = read("tcp_rmem");
        if (wmem == null || rmem == null) {
            return UNKNOWN;
        }
        return wmem[2] + rmem[1];
    }

    private static long[] read(String name) {
        Path file = Path.of("/proc/sys/net/ipv4", name);
        if (!Files.isReadable(file)) {
            return null;
        }
        try {
            // Read as lines: a /proc file's size reads as 0, which cuts Files.readString short.
            String[] values = Files.readAllLines(file, StandardCharsets.US_ASCII)
                    .get(0)
                    .trim()
                    .split("\\s+");
            long[] parsed = new long[values.length];
            for (int i = 0; i < values.length; i++) {
                parsed[i] = Long.parseLong(values[i]);
            }
            return parsed.length == 3 ? parsed : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
