package dev.herald.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes bench pushes through backend connections, one buffer and one flush per connection per batch,
 * each line stamped with its sequence number and the batch's send time. Skips connections that are not
 * writable (the server is not reading them), so a batch may send less than asked. One pacing thread.
 */
final class PushSender {

    /** How a fan-out reaches every subscriber. */
    enum BroadcastMethod {
        /** Herald's {@code broadcast {"data":…}} command: one line per broadcast. */
        HERALD("herald"),
        /** A seed push line to every subscribed uid: for servers without a broadcast. */
        PER_UID("per-uid");

        final String cliName;

        BroadcastMethod(String cliName) {
            this.cliName = cliName;
        }

        /** {@code herald} or {@code per-uid}. */
        static BroadcastMethod parse(String name) {
            for (BroadcastMethod method : values()) {
                if (method.cliName.equals(name)) {
                    return method;
                }
            }
            throw new IllegalArgumentException("--broadcast must be herald or per-uid: " + name);
        }
    }

    private final BenchRun run;
    private final Backends backends;
    private final int size;
    private int nextBackend;

    PushSender(BenchRun run, Backends backends, int size) {
        this.run = run;
        this.backends = backends;
        this.size = size;
    }

    /** {@code n} seed pushes, each to a random uid of {@code uids}, spread over the backends. */
    long seedPushes(long n, String[] uids) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long sent = 0;
        int k = backends.size();
        for (int tried = 0; tried < k && sent < n; tried++) {
            Backends.Backend backend = backends.get(nextBackend);
            nextBackend = (nextBackend + 1) % k;
            if (!backend.writable()) {
                continue;
            }
            long share = Math.max(1, (n - sent) / (k - tried));
            ByteBuf buf = backend.channel.alloc().buffer((int) Math.min(share * (size + 2), 1 << 24));
            long first = run.seq(share);
            long ts = Payload.now();
            for (long i = 0; i < share; i++) {
                line(buf, Payload.seedLine(uids[random.nextInt(uids.length)], first + i, ts, size));
            }
            backend.write(buf, share);
            sent += share;
        }
        return sent;
    }

    /** {@code n} broadcasts with Herald's broadcast command, on the first backend. */
    long heraldBroadcasts(long n) {
        Backends.Backend backend = backends.get(0);
        if (!backend.writable()) {
            return 0;
        }
        ByteBuf buf = backend.channel.alloc().buffer((int) (n * (size + 32)));
        long first = run.seq(n);
        long ts = Payload.now();
        for (long i = 0; i < n; i++) {
            line(buf, Payload.broadcastCommand(first + i, ts, size));
        }
        backend.write(buf, n);
        return n;
    }

    /**
     * {@code n} broadcasts as one seed push to each of {@code uids} (all with the broadcast's sequence
     * number), the uids split over the backends; stops early when a backend is not writable.
     */
    long perUidBroadcasts(long n, String[] uids) {
        int k = backends.size();
        for (long b = 0; b < n; b++) {
            for (int i = 0; i < k; i++) {
                if (!backends.get(i).writable()) {
                    return b;
                }
            }
            long seq = run.seq(1);
            long ts = Payload.now();
            for (int i = 0; i < k; i++) {
                Backends.Backend backend = backends.get(i);
                int lines = (uids.length - i + k - 1) / k;
                ByteBuf buf = backend.channel.alloc().buffer(Math.max(16, lines * (size + 2)));
                for (int u = i; u < uids.length; u += k) {
                    line(buf, Payload.seedLine(uids[u], seq, ts, size));
                }
                backend.write(buf, lines);
            }
        }
        return n;
    }

    private static void line(ByteBuf buf, String line) {
        ByteBufUtil.writeAscii(buf, line);
        buf.writeByte('\n');
    }
}
