package dev.herald.bench;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes bench pushes through backend connections, one buffer and one flush per connection per batch,
 * each line stamped with its sequence number and the send time, taken just before the batch is built.
 * Skips connections that are not writable (the server is not reading them), so a batch may send less
 * than asked. Runs on the backends' event loop (the pacer's), so a write is a system call, not a task
 * handed to another thread; builds lines into the buffers directly, allocating nothing per line.
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

    /** The start of each uid's seed lines ({@link Payload#seedHead}), for the methods below. */
    static byte[][] heads(String[] uids) {
        byte[][] heads = new byte[uids.length][];
        for (int i = 0; i < uids.length; i++) {
            heads[i] = Payload.seedHead(uids[i]);
        }
        return heads;
    }

    /** {@code n} seed pushes, each to a random uid of {@code heads}, spread over the backends. */
    long seedPushes(long n, byte[][] heads) {
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
                Payload.writeSeedLine(buf, heads[random.nextInt(heads.length)], first + i, ts, size);
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
            Payload.writeBroadcastCommand(buf, first + i, ts, size);
        }
        backend.write(buf, n);
        return n;
    }

    /**
     * {@code n} broadcasts as one seed push to each uid of {@code heads} (all with the broadcast's
     * sequence number and send time), the uids split over the backends, each backend's share written
     * as soon as it is built; stops early when a backend is not writable.
     */
    long perUidBroadcasts(long n, byte[][] heads) {
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
                int lines = (heads.length - i + k - 1) / k;
                ByteBuf buf = backend.channel.alloc().buffer(Math.max(16, lines * (size + 2)));
                for (int u = i; u < heads.length; u += k) {
                    Payload.writeSeedLine(buf, heads[u], seq, ts, size);
                }
                backend.write(buf, lines);
            }
        }
        return n;
    }
}
