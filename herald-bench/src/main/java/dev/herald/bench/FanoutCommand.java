package dev.herald.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongUnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * N subscribers; broadcasts of a given size at a ladder of fixed rates. Per step: deliveries per
 * second, lost messages, latency percentiles at the clients, server CPU per delivered message.
 */
@Command(
        name = "fanout",
        mixinStandardHelpOptions = true,
        description = "N subscribers; broadcasts at a ladder of rates; per step deliveries/s, loss, latency "
                + "percentiles and server CPU per delivered message.")
final class FanoutCommand extends ScenarioCommand {

    @Option(
            names = {"-n", "--connections"},
            defaultValue = "10000",
            description = "Subscribers (connections, one uid each). Default: ${DEFAULT-VALUE}.")
    int connections;

    @Option(
            names = "--rates",
            split = ",",
            defaultValue = "1,5,10,20",
            description = "Broadcasts per second, one step each. Default: ${DEFAULT-VALUE}.")
    double[] rates;

    @Option(names = "--step", defaultValue = "10s", description = "Duration of each step. Default: ${DEFAULT-VALUE}.")
    Duration step;

    @Mixin
    LadderOptions ladder;

    @Option(
            names = "--size",
            defaultValue = "100",
            description = "Bytes each subscriber receives per broadcast. Default: ${DEFAULT-VALUE}.")
    int size;

    @Option(
            names = "--broadcast",
            description = "herald: Herald's broadcast command (one line per broadcast); per-uid: a seed push "
                    + "line to every subscriber's uid (for servers without a broadcast). Default: herald with "
                    + "--server=herald, else per-uid.")
    String broadcast;

    @Option(
            names = "--backends",
            defaultValue = "4",
            description = "Backend connections that share the per-uid pushes (herald uses one). Default: "
                    + "${DEFAULT-VALUE}.")
    int backends;

    PushSender.BroadcastMethod method() {
        if (broadcast == null) {
            return options.server == BenchOptions.ServerKind.herald
                    ? PushSender.BroadcastMethod.HERALD
                    : PushSender.BroadcastMethod.PER_UID;
        }
        return PushSender.BroadcastMethod.parse(broadcast);
    }

    @Override
    long connections() {
        return connections;
    }

    @Override
    int backendConnections() {
        return method() == PushSender.BroadcastMethod.HERALD ? 1 : backends;
    }

    @Override
    void validate() {
        method();
        if (connections < 1 || backends < 1 || rates.length == 0) {
            throw new IllegalArgumentException("--connections, --backends and --rates need at least one");
        }
        for (double rate : rates) {
            if (!(rate > 0)) {
                throw new IllegalArgumentException("--rates must be above 0: " + rate);
            }
        }
    }

    @Override
    Map<String, Object> run(BenchRun run) {
        Map<String, Object> results = new LinkedHashMap<>();
        PushSender.BroadcastMethod method = method();
        results.put("broadcast", method.cliName);
        List<Client> opened = openClients(run, connections);
        String[] uids = opened.stream().map(c -> c.uid).toArray(String[]::new);
        byte[][] heads = PushSender.heads(uids);
        results.put("subscribers", opened.size());
        results.put("failed", run.clients.failureCount());
        results.put("failures", run.clients.failures());
        run.progress("fanout: %d subscribers open", opened.size());
        List<Map<String, Object>> steps = new ArrayList<>();
        try (Backends backends = run.backends(backendConnections())) {
            PushSender sender = new PushSender(run, backends, size);
            Pacer.Batch batch = method == PushSender.BroadcastMethod.HERALD
                    ? sender::heraldBroadcasts
                    : n -> sender.perUidBroadcasts(n, heads);
            LongUnaryOperator expected = sent -> sent * uids.length;
            ladder.warmUp(run, backends, rates[0], batch, expected, results);
            for (double rate : rates) {
                PacedStep.Outcome o = ladder.step(run, backends, rate, step, batch, expected);
                Map<String, Object> m = o.toMap("Delivery", o.delivered());
                steps.add(m);
                run.progress(
                        "fanout: %s broadcasts/s -> %s deliveries/s, lost %d, p99 %s ms, server %s us/delivery",
                        rate, m.get("deliveredPerSecond"), o.lost(), o.p99Millis(), m.get("serverCpuUsPerDelivery"));
            }
        }
        run.clients.sink(Clients.IGNORE);
        results.put("steps", steps);
        results.put("closedByServer", run.clients.closedAfterOpen());
        results.put("serverCloses", run.clients.serverCloses());
        results.put("foreignMessages", run.clients.foreignMessages());
        return results;
    }

    @Override
    List<String> summary(Map<String, Object> r) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(
                "%s subscribers (%s failed), broadcast by %s",
                r.get("subscribers"), r.get("failed"), r.get("broadcast")));
        lines.add("bcast/s  deliv/s   lost  p50 ms   p99 ms  p999 ms   max ms  srv us/deliv  cli us/deliv  srv cpu%"
                + "  cli cpu%  oth cpu%");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> steps = (List<Map<String, Object>>) r.get("steps");
        for (Map<String, Object> s : steps) {
            Map<String, Object> l = map(s, "latencyMs");
            lines.add(String.format(
                    "%7s %8s %6s %7s %8s %8s %8s %13s %13s %9s %9s %9s",
                    s.get("achievedRate"),
                    s.get("deliveredPerSecond"),
                    s.get("lost"),
                    l.get("p50"),
                    l.get("p99"),
                    l.get("p999"),
                    l.get("max"),
                    s.get("serverCpuUsPerDelivery"),
                    s.get("clientCpuUsPerDelivery"),
                    s.get("serverCpuPercent"),
                    s.get("clientCpuPercent"),
                    s.get("otherCpuPercent")));
        }
        return lines;
    }
}
