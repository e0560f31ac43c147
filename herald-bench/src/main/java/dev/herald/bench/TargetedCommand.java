package dev.herald.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * N bound uids; K backend connections pipeline seed pushes to random uids at a ladder of rates, until
 * p99 passes a limit or a push is lost. Reports every step and the highest rate with no loss.
 */
@Command(
        name = "targeted",
        mixinStandardHelpOptions = true,
        description = "N bound uids; K backends pipeline pushes to random uids at a ladder of rates until p99 "
                + "passes --max-p99 or a push is lost; reports the highest rate with no loss.")
final class TargetedCommand extends ScenarioCommand {

    @Option(
            names = {"-n", "--connections"},
            defaultValue = "10000",
            description = "Bound uids (one connection each). Default: ${DEFAULT-VALUE}.")
    int connections;

    @Option(
            names = {"-k", "--backends"},
            defaultValue = "4",
            description = "Backend connections pipelining the pushes. Default: ${DEFAULT-VALUE}.")
    int backends;

    @Option(
            names = "--rates",
            split = ",",
            defaultValue = "5000,10000,20000,40000,60000,80000,100000,120000,160000",
            description = "Pushes per second, one step each, in rising order. Default: ${DEFAULT-VALUE}.")
    double[] rates;

    @Option(names = "--step", defaultValue = "5s", description = "Duration of each step. Default: ${DEFAULT-VALUE}.")
    Duration step;

    @Mixin
    LadderOptions ladder;

    @Option(
            names = "--size",
            defaultValue = "100",
            description = "Bytes of each push line (what the client receives). Default: ${DEFAULT-VALUE}.")
    int size;

    @Option(
            names = "--max-p99",
            defaultValue = "100ms",
            description = "Stop the ladder after a step whose p99 passes this. Default: ${DEFAULT-VALUE}.")
    Duration maxP99;

    @Option(
            names = "--min-achieved",
            defaultValue = "0.95",
            description = "Stop the ladder after a step that sent less than this share of its target rate (the "
                    + "tool or back-pressure is the limit). Default: ${DEFAULT-VALUE}.")
    double minAchieved;

    /** Reads are short here: one thread for everything gives the lowest floor (see ClientTransport). */
    @Override
    boolean sharedLoopByDefault() {
        return true;
    }

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
        List<Client> opened = openClients(run, connections);
        byte[][] heads = PushSender.heads(opened.stream().map(c -> c.uid).toArray(String[]::new));
        results.put("bound", opened.size());
        results.put("failed", run.clients.failureCount());
        results.put("failures", run.clients.failures());
        run.progress("targeted: %d uids bound", opened.size());
        List<Map<String, Object>> steps = new ArrayList<>();
        Map<String, Object> best = null;
        String stopReason = "ladder done";
        try (Backends backends = run.backends(this.backends)) {
            PushSender sender = new PushSender(run, backends, size);
            Pacer.Batch batch = n -> sender.seedPushes(n, heads);
            ladder.warmUp(run, backends, rates[0], batch, sent -> sent, results);
            for (double rate : rates) {
                PacedStep.Outcome o = ladder.step(run, backends, rate, step, batch, sent -> sent);
                Map<String, Object> m = o.toMap("Push", o.sent());
                steps.add(m);
                run.progress(
                        "targeted: %s pushes/s -> sent %s/s, lost %d, p99 %s ms, server %s us/push",
                        rate, m.get("achievedRate"), o.lost(), o.p99Millis(), m.get("serverCpuUsPerPush"));
                boolean withinP99 = o.p99Millis() <= maxP99.toNanos() / 1e6;
                if (o.lost() == 0 && o.fail() == 0 && o.errors() == 0 && withinP99) {
                    best = m;
                }
                if (o.lost() > 0 || o.fail() > 0 || o.errors() > 0) {
                    stopReason = "loss at " + rate + "/s";
                    break;
                }
                if (!withinP99) {
                    stopReason = "p99 over " + DurationConverter.format(maxP99) + " at " + rate + "/s";
                    break;
                }
                if (o.achievedRate() < rate * minAchieved) {
                    stopReason = "sent only " + o.achievedRate() + "/s of " + rate + "/s";
                    break;
                }
            }
        }
        run.clients.sink(Clients.IGNORE);
        results.put("steps", steps);
        results.put("stopReason", stopReason);
        results.put("best", best);
        results.put("closedByServer", run.clients.closedAfterOpen());
        results.put("serverCloses", run.clients.serverCloses());
        results.put("foreignMessages", run.clients.foreignMessages());
        return results;
    }

    @Override
    List<String> summary(Map<String, Object> r) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(
                "%s uids bound (%s failed); stopped: %s", r.get("bound"), r.get("failed"), r.get("stopReason")));
        lines.add(
                " target/s   sent/s   lost  fail  p50 ms   p99 ms  p999 ms   max ms  srv us/push  cli us/push  srv cpu%"
                        + "  cli cpu%  oth cpu%");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> steps = (List<Map<String, Object>>) r.get("steps");
        for (Map<String, Object> s : steps) {
            Map<String, Object> l = map(s, "latencyMs");
            lines.add(String.format(
                    "%9s %8s %6s %5s %7s %8s %8s %8s %12s %12s %9s %9s %9s",
                    s.get("targetRate"),
                    s.get("achievedRate"),
                    s.get("lost"),
                    map(s, "replies").get("fail"),
                    l.get("p50"),
                    l.get("p99"),
                    l.get("p999"),
                    l.get("max"),
                    s.get("serverCpuUsPerPush"),
                    s.get("clientCpuUsPerPush"),
                    s.get("serverCpuPercent"),
                    s.get("clientCpuPercent"),
                    s.get("otherCpuPercent")));
        }
        Map<String, Object> best = map(r, "best");
        lines.add(
                best == null
                        ? "no step within the limits (no loss, p99 within " + DurationConverter.format(maxP99) + ")"
                        : String.format(
                                "best: %s pushes/s with no loss, p99 %s ms, %s us server CPU per push",
                                best.get("achievedRate"),
                                map(best, "latencyMs").get("p99"),
                                best.get("serverCpuUsPerPush")));
        return lines;
    }
}
