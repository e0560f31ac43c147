package dev.herald.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Opens N connections, binds each to its own uid, and measures what holding them costs the server:
 * RSS (and heap) before and after, bytes per connection, the connect+bind rate and failures; then
 * checks the binds with pushes.
 */
@Command(
        name = "idle",
        mixinStandardHelpOptions = true,
        description = "Open N connections and bind them; report the server's memory per connection, the "
                + "connect+bind rate and failures.")
final class IdleCommand extends ScenarioCommand {

    @Option(
            names = {"-n", "--connections"},
            defaultValue = "10000",
            description = "Connections to open, each bound to its own uid. Default: ${DEFAULT-VALUE}.")
    int connections;

    @Option(
            names = "--settle",
            defaultValue = "3s",
            description = "Wait after the last bind before reading the server's memory. Default: ${DEFAULT-VALUE}.")
    Duration settle;

    @Option(
            names = "--verify",
            defaultValue = "-1",
            description = "Uids to verify afterwards with one push each, checked at the client (-1: all, 0: none). "
                    + "Default: all.")
    int verify;

    @Option(
            names = "--size",
            defaultValue = "100",
            description = "Bytes of each verification push. Default: ${DEFAULT-VALUE}.")
    int size;

    @Option(
            names = "--bind-timeout",
            defaultValue = "30s",
            description = "How long Herald's count may take to show every bind. Default: ${DEFAULT-VALUE}.")
    Duration bindTimeout;

    @Option(
            names = "--hold",
            defaultValue = "0s",
            description = "Keep the connections open this long after measuring (to inspect the server). "
                    + "Default: ${DEFAULT-VALUE}.")
    Duration hold;

    @Override
    long connections() {
        return connections;
    }

    @Override
    int backendConnections() {
        return 1;
    }

    @Override
    void validate() {
        if (connections < 1) {
            throw new IllegalArgumentException("--connections must be at least 1");
        }
    }

    @Override
    Map<String, Object> run(BenchRun run) {
        Map<String, Object> results = new LinkedHashMap<>();
        boolean herald = run.options.server == BenchOptions.ServerKind.herald;
        try (TextControl control = run.control()) {
            long baseline = herald ? control.connectionCount() : -1;
            long rssBefore = run.serverRss();
            long heapBefore = run.heap.heapUsedBytes();
            long liveBefore = run.serverLiveHeap();
            CpuMeter cpu = CpuMeter.start(run);
            long start = System.nanoTime();
            List<Client> all = run.clients.openAll(connections, run.options::uid, run.options.connectConcurrency);
            long written = System.nanoTime();
            List<Client> opened = all.stream().filter(Client::isOpen).toList();
            long bound = -1;
            long boundAt = written;
            if (herald) {
                long deadline = written + bindTimeout.toNanos();
                do {
                    bound = control.connectionCount() - baseline;
                    boundAt = System.nanoTime();
                    if (bound >= opened.size() || boundAt > deadline) {
                        break;
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                } while (true);
            }
            CpuMeter.Usage connectCpu = cpu.stop();
            double seconds = (boundAt - start) / 1e9;
            run.progress(
                    "idle: %d of %d open in %.2f s; settling %s",
                    opened.size(), connections, seconds, DurationConverter.format(settle));
            LockSupport.parkNanos(settle.toNanos());
            long rssAfter = run.serverRss();
            long heapAfter = run.heap.heapUsedBytes();
            long liveAfter = run.serverLiveHeap();

            results.put("connections", connections);
            results.put("opened", opened.size());
            results.put("failed", run.clients.failureCount());
            results.put("failures", run.clients.failures());
            results.put("failureExamples", run.clients.failureExamples());
            results.put("sourceAddresses", run.sources.addressesFor(connections));
            results.put("boundReported", bound);
            results.put("connectBindSeconds", Latency.round(seconds, 3));
            results.put("connectBindPerSecond", Latency.round(opened.size() / Math.max(seconds, 1e-9), 1));
            results.put("connectCpu", connectCpu.toMap());
            Map<String, Object> memory = new LinkedHashMap<>();
            memory.put("rssBefore", rssBefore);
            memory.put("rssAfter", rssAfter);
            memory.put("rssPerConnection", perConnection(rssBefore, rssAfter, opened.size()));
            memory.put("heapBefore", heapBefore);
            memory.put("heapAfter", heapAfter);
            memory.put("heapPerConnection", perConnection(heapBefore, heapAfter, opened.size()));
            memory.put("liveHeapBefore", liveBefore);
            memory.put("liveHeapAfter", liveAfter);
            memory.put("liveHeapPerConnection", perConnection(liveBefore, liveAfter, opened.size()));
            results.put("server", memory);
            results.put("clientRss", run.self.rssBytes());
            results.put("verify", verify(run, control, opened));
            results.put("closedByServer", run.clients.closedAfterOpen());
            results.put("serverCloses", run.clients.serverCloses());
            if (!hold.isZero()) {
                run.progress("idle: holding %d connections for %s", opened.size(), DurationConverter.format(hold));
                LockSupport.parkNanos(hold.toNanos());
            }
        }
        return results;
    }

    private static long perConnection(long before, long after, int n) {
        return before < 0 || after < 0 || n == 0 ? -1 : Math.round((after - before) / (double) n);
    }

    private Map<String, Object> verify(BenchRun run, TextControl control, List<Client> opened) {
        List<Client> sample = new ArrayList<>(opened);
        if (verify >= 0 && verify < sample.size()) {
            java.util.Collections.shuffle(sample, ThreadLocalRandom.current());
            sample = sample.subList(0, verify);
        }
        StepTally tally = new StepTally(run.nextSeq());
        run.clients.sink(tally);
        List<String> lines = new ArrayList<>(sample.size());
        long first = run.seq(sample.size());
        for (int i = 0; i < sample.size(); i++) {
            lines.add(Payload.seedLine(sample.get(i).uid, first + i, Payload.now(), size));
        }
        TextControl.PushReplies replies = control.pushAll(lines);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (tally.delivered.sum() < replies.ok() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        run.clients.sink(Clients.IGNORE);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("pushed", sample.size());
        out.put("ok", replies.ok());
        out.put("fail", replies.fail());
        out.put("otherReplies", replies.other());
        if (replies.firstOther() != null) {
            out.put("firstOtherReply", replies.firstOther());
        }
        out.put("received", tally.delivered.sum());
        out.put("lost", Math.max(0, sample.size() - tally.delivered.sum()));
        return out;
    }

    @Override
    List<String> summary(Map<String, Object> r) {
        Map<String, Object> server = map(r, "server");
        Map<String, Object> verified = map(r, "verify");
        return List.of(
                String.format(
                        "%s of %s connections open and bound in %s s (%s/s), %s failed %s",
                        r.get("opened"),
                        r.get("connections"),
                        r.get("connectBindSeconds"),
                        r.get("connectBindPerSecond"),
                        r.get("failed"),
                        r.get("failures")),
                String.format(
                        "server RSS %s -> %s MiB: %s bytes per connection; heap %s -> %s MiB: %s bytes per connection;"
                                + " live heap (after a full GC) %s -> %s MiB: %s bytes per connection",
                        mib(server.get("rssBefore")),
                        mib(server.get("rssAfter")),
                        server.get("rssPerConnection"),
                        mib(server.get("heapBefore")),
                        mib(server.get("heapAfter")),
                        server.get("heapPerConnection"),
                        mib(server.get("liveHeapBefore")),
                        mib(server.get("liveHeapAfter")),
                        server.get("liveHeapPerConnection")),
                String.format(
                        "verified %s uids by push: %s ok, %s fail, %s received, %s lost",
                        verified.get("pushed"),
                        verified.get("ok"),
                        verified.get("fail"),
                        verified.get("received"),
                        verified.get("lost")));
    }

    static String mib(Object bytes) {
        long b = ((Number) bytes).longValue();
        return b < 0 ? "?" : String.format("%.1f", b / 1048576.0);
    }
}
