package dev.herald.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A reconnect storm: stable clients receive pushes at a fixed rate through a calm window, then every
 * storm client drops its connection at the same moment and reconnects at once, as after a network
 * flap or a load balancer's restart, while the pushes go on. Storm clients that are refused follow
 * the server's {@code Retry-After} (admission control), or back off with full jitter when there is
 * none. Reports the stable clients' push latency calm and during the storm, and how the storm
 * reconnected.
 */
@Command(
        name = "storm",
        mixinStandardHelpOptions = true,
        description = "Stable clients receive pushes while the storm clients all drop and reconnect at once;"
                + " reports push p99 calm and during the storm, and how long the storm took to reconnect.")
final class StormCommand extends ScenarioCommand {

    @Option(
            names = {"-n", "--connections"},
            defaultValue = "1000",
            description = "Stable clients; the pushes go to them. Default: ${DEFAULT-VALUE}.")
    int connections;

    @Option(
            names = "--storm",
            defaultValue = "10000",
            description = "Storm clients, connected first, then dropped and reconnected all at once. Default:"
                    + " ${DEFAULT-VALUE}.")
    int storm;

    @Option(
            names = "--push-rate",
            defaultValue = "2000",
            description = "Pushes per second to random stable uids. Default: ${DEFAULT-VALUE}.")
    double pushRate;

    @Option(
            names = "--calm",
            defaultValue = "10s",
            description = "The calm window before the storm. Default: ${DEFAULT-VALUE}.")
    Duration calm;

    @Option(
            names = "--duration",
            defaultValue = "20s",
            description =
                    "The storm window: pushes flow while the storm clients reconnect. Default:" + " ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(
            names = "--drain",
            defaultValue = "5s",
            description =
                    "After each window, wait at most this long for pushes to arrive. Default:" + " ${DEFAULT-VALUE}.")
    Duration drain;

    @Option(
            names = "--backoff-cap",
            defaultValue = "8s",
            description = "A storm client refused without Retry-After (or that timed out) waits a random time"
                    + " up to 0.5 s doubled per attempt, at most this. Default: ${DEFAULT-VALUE}.")
    Duration backoffCap;

    @Option(
            names = {"-k", "--backends"},
            defaultValue = "1",
            description = "Backend connections for the pushes. Default: ${DEFAULT-VALUE}.")
    int backends;

    @Option(names = "--size", defaultValue = "100", description = "Bytes of each push line. Default: ${DEFAULT-VALUE}.")
    int size;

    @Override
    long connections() {
        return (long) connections + storm + 16;
    }

    @Override
    int backendConnections() {
        return backends;
    }

    @Override
    void validate() {
        if (connections < 1 || storm < 1 || backends < 1 || !(pushRate > 0)) {
            throw new IllegalArgumentException("--connections, --storm, --backends and --push-rate must be above 0");
        }
    }

    @Override
    Map<String, Object> run(BenchRun run) throws InterruptedException {
        Map<String, Object> results = new LinkedHashMap<>();
        List<Client> stable = openClients(run, connections);
        byte[][] heads = PushSender.heads(stable.stream().map(c -> c.uid).toArray(String[]::new));
        results.put("stable", stable.size());

        // The storm clients connect first, following the server's retry hints like the storm does (a
        // server with admission control refuses some of them already).
        // The storm clients run on an event loop of their own: their connects and drops are the work of
        // other machines in a real storm, and must not hold up the stable clients' reading in the tool.
        ClientTransport stormLoop = new ClientTransport(1, true);
        Clients stormers = new Clients(stormLoop, run.options.ws, run.sources);
        Reconnects connecting = new Reconnects(run, stormers);
        connecting.begin();
        for (int i = 0; i < storm; i++) {
            connecting.attempt(i, 0);
            if (i % run.options.connectConcurrency == run.options.connectConcurrency - 1) {
                connecting.awaitOpen(i + 1, TimeUnit.SECONDS.toNanos(10));
            }
        }
        connecting.awaitOpen(storm, TimeUnit.SECONDS.toNanos(60));
        connecting.stop();
        List<Client> first = connecting.clients();
        long connectedBefore = first.stream().filter(Client::isOpen).count();
        results.put("stormConnectedBefore", connectedBefore);
        results.put("stormConnectAttempts", connecting.attempts.sum());
        run.progress("storm: %d stable and %d storm clients open", stable.size(), connectedBefore);

        PacedStep.Outcome calmStep;
        PacedStep.Outcome stormStep;
        Clients reconnecting = new Clients(stormLoop, run.options.ws, run.sources);
        Reconnects reconnects = new Reconnects(run, reconnecting);
        try (Backends backends = run.backends(this.backends)) {
            PushSender sender = new PushSender(run, backends, size);
            calmStep = PacedStep.run(
                    run,
                    backends,
                    pushRate,
                    calm,
                    drain,
                    Duration.ofNanos(Pacer.DEFAULT_TICK_NANOS),
                    n -> sender.seedPushes(n, heads),
                    s -> s);
            run.progress("storm: calm p99 %.2f ms; dropping %d connections", calmStep.p99Millis(), connectedBefore);
            // The storm: every storm connection drops (no close handshake, as when a network flaps) and
            // all reconnect at once, while the pushes go on.
            reconnects.begin();
            for (Client client : first) {
                if (client.isOpen()) {
                    client.channel.close();
                }
            }
            for (Client client : first) {
                reconnects.attempt(client.index, 0);
            }
            stormStep = PacedStep.run(
                    run,
                    backends,
                    pushRate,
                    duration,
                    drain,
                    Duration.ofNanos(Pacer.DEFAULT_TICK_NANOS),
                    n -> sender.seedPushes(n, heads),
                    s -> s);
        }
        reconnects.stop();
        reconnecting.close();
        stormers.close();
        stormLoop.close();

        Map<String, Object> s = new LinkedHashMap<>();
        s.put("clients", connectedBefore);
        s.put("reconnected", reconnects.reconnected.get());
        s.put("attempts", reconnects.attempts.sum());
        s.put("secondsToAllReconnected", reconnects.secondsToAll(connectedBefore));
        s.put("secondsToHalfReconnected", reconnects.secondsToHalf());
        s.put("failuresByReason", reconnecting.failures());
        s.put("failureExamples", reconnecting.failureExamples());
        s.put("retryAfterHonoured", reconnects.retryAfters.sum());
        s.put("retryAfterSecondsMax", reconnects.retryAfterMax.get());
        results.put("storm", s);
        results.put("calm", calmStep.toMap("Push", calmStep.sent()));
        results.put("pushesDuringStorm", stormStep.toMap("Push", stormStep.sent()));
        double calmP99 = calmStep.p99Millis();
        results.put("p99Ratio", calmP99 > 0 ? Latency.round(stormStep.p99Millis() / calmP99, 2) : null);
        results.put("stableClosedByServer", run.clients.closedAfterOpen());
        results.put("serverCloses", run.clients.serverCloses());
        return results;
    }

    /** Reconnects storm clients until each is open again, following the server's hints. */
    private final class Reconnects {
        private final BenchRun run;
        private final Clients clients;
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "bench-storm-retry");
            thread.setDaemon(true);
            return thread;
        });
        /** When the storm began: {@link #begin}. */
        private volatile long start;

        /** The client that opened, by index. */
        private final Map<Integer, Client> done = new ConcurrentHashMap<>();

        final AtomicInteger reconnected = new AtomicInteger();
        final LongAdder attempts = new LongAdder();
        final LongAdder retryAfters = new LongAdder();
        final AtomicInteger retryAfterMax = new AtomicInteger();
        private final List<Long> openedAt = new ArrayList<>();
        private volatile boolean stopped;

        Reconnects(BenchRun run, Clients clients) {
            this.run = run;
            this.clients = clients;
        }

        void begin() {
            start = System.nanoTime();
        }

        void attempt(int index, int failures) {
            if (stopped) {
                return;
            }
            attempts.increment();
            Client client = clients.open(index, run.options.uidPrefix + "storm-" + index);
            client.opened.whenComplete((opened, failure) -> {
                if (failure == null) {
                    if (done.putIfAbsent(index, opened) == null) {
                        long now = System.nanoTime() - start;
                        synchronized (openedAt) {
                            openedAt.add(now);
                        }
                        reconnected.incrementAndGet();
                    }
                    return;
                }
                Throwable cause = failure;
                while (cause.getCause() != null && !(cause instanceof Client.OpenFailure)) {
                    cause = cause.getCause();
                }
                long waitMillis;
                if (cause instanceof Client.OpenFailure open && open.retryAfterSeconds >= 0) {
                    retryAfters.increment();
                    retryAfterMax.accumulateAndGet(open.retryAfterSeconds, Math::max);
                    waitMillis = open.retryAfterSeconds * 1000L;
                } else {
                    long cap = Math.min(backoffCap.toMillis(), 500L << Math.min(failures, 10));
                    waitMillis = ThreadLocalRandom.current().nextLong(cap + 1);
                }
                if (!stopped) {
                    timer.schedule(() -> attempt(index, failures + 1), waitMillis, TimeUnit.MILLISECONDS);
                }
            });
        }

        /** Seconds from the drop until {@code count} clients were open again, or null if they were not. */
        Double secondsToAll(long count) {
            synchronized (openedAt) {
                if (openedAt.size() < count || openedAt.isEmpty()) {
                    return null;
                }
                return Latency.round(
                        openedAt.stream().mapToLong(Long::longValue).max().orElse(0) / 1e9, 2);
            }
        }

        Double secondsToHalf() {
            synchronized (openedAt) {
                if (openedAt.isEmpty()) {
                    return null;
                }
                List<Long> sorted = new ArrayList<>(openedAt);
                sorted.sort(null);
                return Latency.round(sorted.get(sorted.size() / 2) / 1e9, 2);
            }
        }

        /** Waits until {@code count} clients are open, at most {@code timeoutNanos}. */
        void awaitOpen(int count, long timeoutNanos) {
            long deadline = System.nanoTime() + timeoutNanos;
            while (reconnected.get() < count && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
        }

        /** The clients that opened, by index. */
        List<Client> clients() {
            List<Client> opened = new ArrayList<>(done.values());
            opened.sort((a, b) -> Integer.compare(a.index, b.index));
            return opened;
        }

        void stop() {
            stopped = true;
            timer.shutdownNow();
        }
    }

    @Override
    List<String> summary(Map<String, Object> r) {
        Map<String, Object> s = map(r, "storm");
        Map<String, Object> calmLatency = map(map(r, "calm"), "latencyMs");
        Map<String, Object> p = map(r, "pushesDuringStorm");
        Map<String, Object> l = map(p, "latencyMs");
        return List.of(
                String.format(
                        "storm: %s clients dropped, %s reconnected (half in %s s, all in %s s), %s attempts, refusals %s",
                        s.get("clients"),
                        s.get("reconnected"),
                        s.get("secondsToHalfReconnected"),
                        s.get("secondsToAllReconnected"),
                        s.get("attempts"),
                        s.get("failuresByReason")),
                String.format(
                        "pushes to %s stable clients: calm p50 %s ms p99 %s ms; during the storm p50 %s ms p99 %s ms"
                                + " max %s ms (p99 %sx calm), %s lost; %s stable clients closed by the server",
                        r.get("stable"),
                        calmLatency.get("p50"),
                        calmLatency.get("p99"),
                        l.get("p50"),
                        l.get("p99"),
                        l.get("max"),
                        r.get("p99Ratio"),
                        p.get("lost"),
                        r.get("stableClosedByServer")));
    }
}
