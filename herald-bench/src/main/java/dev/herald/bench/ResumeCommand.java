package dev.herald.bench;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A resume storm of {@code herald.v1} clients (docs/protocol.md §4): N clients say hello and get one
 * message each (their position), all close, M messages are pushed to each uid while they are away,
 * then all N reconnect at once with their positions. Measures how long until every client has its M
 * missed messages, which were lost or came twice, and the server's CPU meanwhile.
 */
@Command(
        name = "resume",
        mixinStandardHelpOptions = true,
        description = "A resume storm of herald.v1 clients: N clients with a position come back at once, each "
                + "having missed M messages; reports the time until all have them, losses, duplicates, the "
                + "welcome answers and the server's CPU. Herald only.")
final class ResumeCommand extends ScenarioCommand {

    static final String SUBPROTOCOL = "herald.v1";
    private static final byte[] T = "\"t\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] E = "\"e\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] O = "\"o\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] R = "\"r\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final String PONG = "{\"t\":\"pong\"}";

    @Option(
            names = {"-n", "--connections"},
            defaultValue = "10000",
            description = "herald.v1 clients, one uid each. Default: ${DEFAULT-VALUE}.")
    int connections;

    @Option(
            names = "--missed",
            defaultValue = "10",
            description = "Messages pushed to each uid while its client is away (at most history.size and "
                    + "history.max-replay). Default: ${DEFAULT-VALUE}.")
    int missed;

    @Option(
            names = "--push-rate",
            defaultValue = "50000",
            description = "Pushes per second while the clients are away. Default: ${DEFAULT-VALUE}.")
    double pushRate;

    @Option(
            names = {"-k", "--backends"},
            defaultValue = "1",
            description = "Backend connections for the pushes. Default: ${DEFAULT-VALUE}.")
    int backends;

    @Option(names = "--size", defaultValue = "100", description = "Bytes of each push line. Default: ${DEFAULT-VALUE}.")
    int size;

    @Option(
            names = "--storm-concurrency",
            defaultValue = "0",
            description = "Handshakes in flight at once in the storm; 0: all clients at once. Default: "
                    + "${DEFAULT-VALUE}.")
    int stormConcurrency;

    @Option(
            names = "--timeout",
            defaultValue = "60s",
            description = "Longest wait for each phase (the storm included). Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(
            names = "--tail",
            defaultValue = "1s",
            description = "After the storm, watch this long for late duplicates. Default: ${DEFAULT-VALUE}.")
    Duration tail;

    /** One uid's client as the tool tracks it across its two connections; touched by one loop at a time. */
    static final class Slot {
        final String uid;
        String epoch;
        long offset = -1;
        boolean positioned;
        /** The storm's first expected offset (the position + 1), and which of the M have come. */
        long from;

        BitSet got;
        int received;

        Slot(String uid) {
            this.uid = uid;
        }

        /** The hello: no position on the first visit, the position held afterwards. */
        String hello() {
            String head = "{\"t\":\"hello\",\"uid\":\"" + uid + "\"";
            if (epoch == null) {
                return head + "}";
            }
            return head + ",\"streams\":{\"u:" + uid + "\":{\"e\":\"" + epoch + "\",\"o\":" + offset + "}}}";
        }
    }

    private volatile Slot[] slots;
    private volatile boolean storm;
    private volatile Map<String, LongAdder> answers = new ConcurrentHashMap<>();
    private final AtomicInteger welcomed = new AtomicInteger();
    private final AtomicInteger positioned = new AtomicInteger();
    private final AtomicInteger complete = new AtomicInteger();
    private final AtomicLong lastCompleteNanos = new AtomicLong();
    private final LongAdder stormMessages = new LongAdder();
    private final LongAdder unique = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder unexpected = new LongAdder();
    private final LongAdder otherEpoch = new LongAdder();
    private final LongAdder other = new LongAdder();

    @Override
    long connections() {
        return connections;
    }

    @Override
    int backendConnections() {
        return backends;
    }

    @Override
    void validate() {
        if (connections < 1 || missed < 1 || backends < 1 || !(pushRate > 0) || stormConcurrency < 0) {
            throw new IllegalArgumentException("--connections, --missed, --backends and --push-rate must be above 0");
        }
        if (options.server != BenchOptions.ServerKind.herald) {
            throw new IllegalArgumentException("resume needs Herald's herald.v1 subprotocol: --server herald");
        }
    }

    @Override
    Map<String, Object> run(BenchRun run) {
        Map<String, Object> results = new LinkedHashMap<>();
        long timeoutNanos = timeout.toNanos();
        long before;
        try (TextControl control = run.control()) {
            before = control.connectionCount();
        }

        // (1) N herald.v1 clients say hello: their uid streams keep history from now on.
        Slot[] all = new Slot[connections];
        for (int i = 0; i < connections; i++) {
            all[i] = new Slot(run.options.uid(i));
        }
        slots = all;
        Clients first = clients(run);
        List<Client> opened = first.openAll(connections, i -> all[i].uid, run.options.connectConcurrency).stream()
                .filter(Client::isOpen)
                .toList();
        if (opened.isEmpty()) {
            first.close();
            throw new BenchRun.BenchException("no herald.v1 connection to " + run.options.ws + " could be opened: "
                    + first.failures() + " " + first.failureExamples());
        }
        // the hello must be through before the first push: history starts with it
        awaitCount(welcomed, opened.size(), timeoutNanos);
        results.put("clients", opened.size());
        results.put("failed", first.failureCount());
        results.put("failures", first.failures());
        results.put("firstAnswers", counts(answers));
        run.progress("resume: %d herald.v1 clients open", opened.size());

        Map<String, Object> pushes = new LinkedHashMap<>();
        try (Backends backends = run.backends(this.backends)) {
            // (2) one message each, so that every client holds a position.
            Slot[] bound = opened.stream().map(c -> all[c.index]).toArray(Slot[]::new);
            push(backends, bound, 1, timeoutNanos);
            awaitCount(positioned, bound.length, timeoutNanos);
            Slot[] ready = Arrays.stream(bound).filter(s -> s.positioned).toArray(Slot[]::new);
            results.put("positioned", ready.length);
            run.progress("resume: %d clients hold a position", ready.length);

            // (3) all go away.
            first.close();
            long settled = System.nanoTime() + Math.min(timeoutNanos, TimeUnit.SECONDS.toNanos(15));
            try (TextControl control = run.control()) {
                while (control.connectionCount() > before && System.nanoTime() < settled) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                }
                results.put("leftOpenOnServer", Math.max(0, control.connectionCount() - before));
            }

            // (4) M messages to each uid while away (no connection: the seed reply is fail, history keeps them).
            long ok0 = backends.ok();
            long fail0 = backends.fail();
            long pushStart = System.nanoTime();
            long sent = push(backends, ready, missed, timeoutNanos);
            boolean replied = backends.awaitReplies(timeoutNanos);
            pushes.put("sent", sent);
            pushes.put("seconds", Latency.round((System.nanoTime() - pushStart) / 1e9, 3));
            pushes.put("ok", backends.ok() - ok0);
            pushes.put("fail", backends.fail() - fail0);
            pushes.put("errors", backends.errors());
            pushes.put("firstError", backends.firstError());
            pushes.put("allReplied", replied);
            results.put("pushes", pushes);
            run.progress("resume: %d pushes sent while away, replies %s", sent, replied ? "all in" : "missing");

            // (5) the storm: every client reconnects at once with its position.
            results.put("storm", storm(run, ready, timeoutNanos));
        }
        return results;
    }

    private Map<String, Object> storm(BenchRun run, Slot[] ready, long timeoutNanos) {
        for (Slot s : ready) {
            s.from = s.offset + 1;
            s.got = new BitSet(missed);
        }
        answers = new ConcurrentHashMap<>();
        slots = ready;
        storm = true;
        Clients again = clients(run);
        try {
            CpuMeter cpu = CpuMeter.start(run);
            long start = System.nanoTime();
            List<Client> reopened = again.openAll(
                    ready.length, i -> ready[i].uid, stormConcurrency == 0 ? ready.length : stormConcurrency);
            long deadline = start + timeoutNanos;
            while (complete.get() < ready.length && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            boolean done = complete.get() == ready.length;
            long end = done ? lastCompleteNanos.get() : System.nanoTime();
            CpuMeter.Usage usage = cpu.stop();
            LockSupport.parkNanos(tail.toNanos());

            long expected = (long) ready.length * missed;
            long received = unique.sum();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("clients", ready.length);
            m.put(
                    "reconnected",
                    reopened.stream()
                            .filter(c -> c.opened.isDone() && !c.opened.isCompletedExceptionally())
                            .count());
            m.put("failed", again.failureCount());
            m.put("failures", again.failures());
            m.put("failureExamples", again.failureExamples());
            m.put("seconds", Latency.round((end - start) / 1e9, 3));
            m.put("timedOut", !done);
            m.put("complete", complete.get());
            m.put("answers", counts(answers));
            m.put("expected", expected);
            m.put("messages", stormMessages.sum());
            m.put("received", received);
            m.put("lost", expected - received);
            m.put("duplicates", duplicates.sum());
            m.put("unexpected", unexpected.sum());
            m.put("otherEpoch", otherEpoch.sum());
            m.put("otherFrames", other.sum());
            m.put("closedByServer", again.closedAfterOpen());
            m.put("serverCloses", again.serverCloses());
            m.put("serverCpuUsPerMessage", usage.serverMicrosPer(received));
            m.put("clientCpuUsPerMessage", usage.clientMicrosPer(received));
            m.put("cpu", usage.toMap());
            return m;
        } finally {
            again.close();
        }
    }

    private static void awaitCount(AtomicInteger count, int target, long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        while (count.get() < target && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** Clients of this scenario: herald.v1, hello as bind, every message to {@link #onText}. */
    private Clients clients(BenchRun run) {
        Clients clients = new Clients(run.transport, run.options.ws, run.sources, SUBPROTOCOL);
        clients.bindText(client -> slots[client.index].hello());
        clients.textSink(this::onText);
        return clients;
    }

    /**
     * Pushes {@code perUid} seed lines to each of {@code targets}, round by round, at {@code --push-rate}
     * over the backends; returns how many were sent (fewer only if the deadline passed).
     */
    private long push(Backends backends, Slot[] targets, int perUid, long timeoutNanos) {
        byte[][] heads = PushSender.heads(Arrays.stream(targets).map(s -> s.uid).toArray(String[]::new));
        long total = (long) heads.length * perUid;
        long sent = 0;
        long start = System.nanoTime();
        long deadline = start + timeoutNanos;
        int next = 0;
        while (sent < total && System.nanoTime() < deadline) {
            long due = Math.min(total, (long) ((System.nanoTime() - start) * pushRate / 1e9) + 1) - sent;
            for (int tried = 0; tried < backends.size() && due > 0; tried++) {
                Backends.Backend backend = backends.get(next);
                next = (next + 1) % backends.size();
                if (!backend.writable()) {
                    continue;
                }
                long share = Math.max(1, due / (backends.size() - tried));
                ByteBuf buf = backend.channel.alloc().buffer((int) Math.min(share * (size + 2), 1 << 24));
                long ts = Payload.now();
                for (long i = 0; i < share; i++) {
                    Payload.writeSeedLine(buf, heads[(int) ((sent + i) % heads.length)], sent + i, ts, size);
                }
                backend.write(buf, share);
                sent += share;
                due -= share;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return sent;
    }

    /** One server message; on the client's event loop. */
    private void onText(Client client, ByteBuf buf, int from, int to) {
        String type = string(buf, from, to, T);
        Slot slot = slots[client.index];
        if ("msg".equals(type)) {
            onMsg(slot, string(buf, from, to, E), number(buf, from, to, O));
        } else if ("welcome".equals(type)) {
            answers.computeIfAbsent(String.valueOf(string(buf, from, to, R)), r -> new LongAdder())
                    .increment();
            if (!storm) {
                welcomed.incrementAndGet();
                slot.epoch = string(buf, from, to, E);
                slot.offset = number(buf, from, to, O);
            }
        } else if ("ping".equals(type)) {
            client.channel.writeAndFlush(ClientFrames.text(client.channel.alloc(), PONG));
        } else {
            other.increment();
        }
    }

    private void onMsg(Slot slot, String epoch, long offset) {
        if (!storm) {
            slot.epoch = epoch;
            slot.offset = offset;
            if (!slot.positioned) {
                slot.positioned = true;
                positioned.incrementAndGet();
            }
            return;
        }
        stormMessages.increment();
        if (epoch == null || !epoch.equals(slot.epoch)) {
            otherEpoch.increment();
            return;
        }
        long k = offset - slot.from;
        if (k < 0) {
            duplicates.increment(); // the client had it before it went away
        } else if (k >= missed) {
            unexpected.increment();
        } else if (slot.got.get((int) k)) {
            duplicates.increment();
        } else {
            slot.got.set((int) k);
            unique.increment();
            if (++slot.received == missed) {
                long now = System.nanoTime();
                lastCompleteNanos.accumulateAndGet(now, Math::max);
                complete.incrementAndGet();
            }
        }
    }

    /** The JSON string value after {@code key} (which ends in its opening quote), or null. */
    static String string(ByteBuf buf, int from, int to, byte[] key) {
        int at = indexOf(buf, from, to, key);
        if (at < 0) {
            return null;
        }
        int start = at + key.length;
        int end = buf.indexOf(start, to, (byte) '"');
        return end < 0 ? null : buf.toString(start, end - start, StandardCharsets.UTF_8);
    }

    /** The non-negative integer after {@code key}, or -1. */
    static long number(ByteBuf buf, int from, int to, byte[] key) {
        int at = indexOf(buf, from, to, key);
        if (at < 0) {
            return -1;
        }
        long value = 0;
        int digits = 0;
        for (int p = at + key.length; p < to && digits < 18; p++, digits++) {
            byte b = buf.getByte(p);
            if (b < '0' || b > '9') {
                break;
            }
            value = value * 10 + (b - '0');
        }
        return digits == 0 ? -1 : value;
    }

    private static int indexOf(ByteBuf buf, int from, int to, byte[] key) {
        outer:
        for (int i = from, last = to - key.length; i <= last; i++) {
            for (int k = 0; k < key.length; k++) {
                if (buf.getByte(i + k) != key[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static Map<String, Long> counts(Map<String, LongAdder> adders) {
        Map<String, Long> out = new TreeMap<>();
        adders.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    @Override
    List<String> summary(Map<String, Object> r) {
        Map<String, Object> s = map(r, "storm");
        Map<String, Object> p = map(r, "pushes");
        Map<String, Object> cpu = map(s, "cpu");
        List<String> lines = new ArrayList<>();
        lines.add(String.format(
                "%s clients (%s failed), %s with a position; %s pushes while away (%s ok, %s fail, %s errors)",
                r.get("clients"),
                r.get("failed"),
                r.get("positioned"),
                p.get("sent"),
                p.get("ok"),
                p.get("fail"),
                p.get("errors")));
        lines.add(String.format(
                "storm: %s clients x %s missed: %s s%s, answers %s, received %s of %s, lost %s, duplicates %s, "
                        + "unexpected %s, other epoch %s, reconnect failures %s",
                s.get("clients"),
                missed,
                s.get("seconds"),
                Boolean.TRUE.equals(s.get("timedOut")) ? " (timed out)" : "",
                s.get("answers"),
                s.get("received"),
                s.get("expected"),
                s.get("lost"),
                s.get("duplicates"),
                s.get("unexpected"),
                s.get("otherEpoch"),
                s.get("failures")));
        lines.add(String.format(
                "server CPU %s s (%s%%), %s us per replayed message; tool CPU %s s (%s%%)",
                cpu.get("serverCpuSeconds"),
                cpu.get("serverCpuPercent"),
                s.get("serverCpuUsPerMessage"),
                cpu.get("clientCpuSeconds"),
                cpu.get("clientCpuPercent")));
        return lines;
    }
}
