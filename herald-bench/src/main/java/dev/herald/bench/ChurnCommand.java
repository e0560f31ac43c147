package dev.herald.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Connections come and go while pushes flow: N stable clients stay connected for the whole window and
 * receive pushes at a fixed rate (loss is counted for them only), while churning clients connect, bind
 * and close again at a fixed rate.
 */
@Command(
        name = "churn",
        mixinStandardHelpOptions = true,
        description = "Connects and disconnects at a fixed rate while pushes flow to stable clients; reports "
                + "connect failures, connect latency, and push loss and latency at the stable clients.")
final class ChurnCommand extends ScenarioCommand {

    @Option(
            names = {"-n", "--connections"},
            defaultValue = "1000",
            description = "Stable clients, connected for the whole window; pushes go to them. Default: "
                    + "${DEFAULT-VALUE}.")
    int connections;

    @Option(
            names = "--churn-rate",
            defaultValue = "200",
            description =
                    "Churning connections opened per second (each binds its own uid). Default: " + "${DEFAULT-VALUE}.")
    double churnRate;

    @Option(
            names = "--lifetime",
            defaultValue = "1s",
            description = "How long a churning connection stays open after binding before it closes. Default: "
                    + "${DEFAULT-VALUE}.")
    Duration lifetime;

    @Option(
            names = "--push-rate",
            defaultValue = "2000",
            description = "Pushes per second to random stable uids. Default: ${DEFAULT-VALUE}.")
    double pushRate;

    @Option(
            names = "--duration",
            defaultValue = "10s",
            description = "How long connections churn and pushes flow. Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(
            names = "--drain",
            defaultValue = "5s",
            description = "Afterwards, wait at most this long for pushes to arrive. Default: ${DEFAULT-VALUE}.")
    Duration drain;

    @Option(
            names = {"-k", "--backends"},
            defaultValue = "1",
            description = "Backend connections for the pushes. Default: ${DEFAULT-VALUE}.")
    int backends;

    @Option(names = "--size", defaultValue = "100", description = "Bytes of each push line. Default: ${DEFAULT-VALUE}.")
    int size;

    @Override
    long connections() {
        return connections + (long) Math.ceil(churnRate * (lifetime.toMillis() / 1000.0 + 12)) + 16;
    }

    @Override
    int backendConnections() {
        return backends;
    }

    @Override
    void validate() {
        if (connections < 1 || backends < 1 || !(churnRate > 0) || !(pushRate > 0)) {
            throw new IllegalArgumentException(
                    "--connections, --backends, --churn-rate and --push-rate must be above 0");
        }
    }

    @Override
    Map<String, Object> run(BenchRun run) throws InterruptedException {
        Map<String, Object> results = new LinkedHashMap<>();
        List<Client> stable = openClients(run, connections);
        byte[][] heads = PushSender.heads(stable.stream().map(c -> c.uid).toArray(String[]::new));
        results.put("stable", stable.size());
        results.put("stableFailed", run.clients.failureCount());
        run.progress("churn: %d stable clients open", stable.size());

        Clients churners = new Clients(run.transport, run.options.ws, run.sources);
        Latency connectLatency = new Latency();
        AtomicLong attempted = new AtomicLong();
        AtomicLong opened = new AtomicLong();
        AtomicLong closed = new AtomicLong();
        List<Client> all = new ArrayList<>();
        Thread churn = new Thread(
                () -> {
                    Pacer pacer = new Pacer(churnRate, System.nanoTime(), Pacer.burstOf(churnRate, 0.05));
                    pacer.drive(duration.toNanos(), Pacer.DEFAULT_TICK_NANOS, n -> {
                        for (long i = 0; i < n; i++) {
                            long j = attempted.getAndIncrement();
                            Client c = churners.open((int) j, run.options.uidPrefix + "churn-" + j);
                            synchronized (all) {
                                all.add(c);
                            }
                            c.opened.thenAccept(client -> {
                                opened.incrementAndGet();
                                connectLatency.record(client.openNanos - client.connectStartNanos);
                                client.channel
                                        .eventLoop()
                                        .schedule(
                                                () -> churners.close(client).addListener(f -> closed.incrementAndGet()),
                                                lifetime.toMillis(),
                                                TimeUnit.MILLISECONDS);
                            });
                        }
                        return n;
                    });
                },
                "bench-churn");
        PacedStep.Outcome pushes;
        try (Backends backends = run.backends(this.backends)) {
            PushSender sender = new PushSender(run, backends, size);
            churn.start();
            pushes = PacedStep.run(
                    run,
                    backends,
                    pushRate,
                    duration,
                    drain,
                    Duration.ofNanos(Pacer.DEFAULT_TICK_NANOS),
                    n -> sender.seedPushes(n, heads),
                    s -> s);
            churn.join();
        }
        run.clients.sink(Clients.IGNORE);
        long deadline = System.nanoTime() + lifetime.toNanos() + TimeUnit.SECONDS.toNanos(12);
        while (System.nanoTime() < deadline && closed.get() + churners.failureCount() < attempted.get()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        churners.close();

        Map<String, Object> c = new LinkedHashMap<>();
        c.put("targetRate", churnRate);
        c.put("achievedRate", Latency.round(attempted.get() / (duration.toNanos() / 1e9), 1));
        c.put("attempted", attempted.get());
        c.put("opened", opened.get());
        c.put("closed", closed.get());
        c.put("failed", churners.failureCount());
        c.put("failures", churners.failures());
        c.put("failureExamples", churners.failureExamples());
        c.put("closedByServer", churners.closedAfterOpen());
        c.put("connectLatencyMs", Latency.summary(connectLatency.take()));
        results.put("churn", c);
        results.put("pushes", pushes.toMap("Push", pushes.sent()));
        results.put("stableClosedByServer", run.clients.closedAfterOpen());
        results.put("serverCloses", run.clients.serverCloses());
        return results;
    }

    @Override
    List<String> summary(Map<String, Object> r) {
        Map<String, Object> c = map(r, "churn");
        Map<String, Object> p = map(r, "pushes");
        Map<String, Object> l = map(p, "latencyMs");
        return List.of(
                String.format(
                        "churn: %s/s target, %s attempted, %s opened, %s closed, %s failed %s; connect p50 %s ms p99 %s ms",
                        c.get("targetRate"),
                        c.get("attempted"),
                        c.get("opened"),
                        c.get("closed"),
                        c.get("failed"),
                        c.get("failures"),
                        map(c, "connectLatencyMs").get("p50"),
                        map(c, "connectLatencyMs").get("p99")),
                String.format(
                        "pushes to %s stable clients: %s/s sent, %s delivered, %s lost, p50 %s ms p99 %s ms max %s ms; "
                                + "%s stable clients closed by the server",
                        r.get("stable"),
                        p.get("achievedRate"),
                        p.get("delivered"),
                        p.get("lost"),
                        l.get("p50"),
                        l.get("p99"),
                        l.get("max"),
                        r.get("stableClosedByServer")));
    }
}
