package dev.herald.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Turns result lines (JSON, one per run) into markdown tables: by default side by side ({@link
 * SideBySide}: per scenario and rate, each label's median with min–max over its runs), or one row per
 * run and step with {@code --per-run}.
 */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        description = "Print markdown tables of the results in JSON-lines files (as written by --out): per "
                + "scenario and rate, each label's median and min-max over its runs, side by side.")
final class ReportCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Files of result lines.")
    List<Path> files;

    @Option(
            names = "--per-run",
            description = "One table per scenario with a row per run (and step), instead of medians side by side.")
    boolean perRun;

    @Option(
            names = "--calibration",
            defaultValue = SideBySide.DEFAULT_CALIBRATION,
            description = "Label of the calibration server, shown last. Default: ${DEFAULT-VALUE}.")
    String calibration;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        List<Map<String, Object>> results = new ArrayList<>();
        for (Path file : files) {
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                    results.add(ResultLine.parse(line));
                }
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(perRun ? markdown(results) : SideBySide.markdown(results, calibration));
        out.flush();
        return 0;
    }

    /** One table per scenario present in {@code results} (idle, fanout, targeted, churn, resume), a row per run and step. */
    static String markdown(List<Map<String, Object>> results) {
        StringBuilder md = new StringBuilder();
        table(
                md,
                results,
                "idle",
                "Idle connections",
                List.of(
                        "Server",
                        "Connections",
                        "Opened",
                        "Failed",
                        "Connect+bind/s",
                        "RSS before MiB",
                        "RSS after MiB",
                        "RSS/conn bytes",
                        "Heap/conn bytes",
                        "Live heap/conn bytes",
                        "Verified lost"),
                (r, rows) -> {
                    Map<String, Object> s = sub(r, "server");
                    rows.add(List.of(
                            r.get("connections"),
                            r.get("opened"),
                            r.get("failed"),
                            r.get("connectBindPerSecond"),
                            IdleCommand.mib(s.get("rssBefore")),
                            IdleCommand.mib(s.get("rssAfter")),
                            s.get("rssPerConnection"),
                            s.get("heapPerConnection"),
                            s.getOrDefault("liveHeapPerConnection", -1),
                            sub(r, "verify").get("lost")));
                });
        table(
                md,
                results,
                "fanout",
                "Fan-out (broadcast to every subscriber)",
                List.of(
                        "Server",
                        "Subscribers",
                        "Broadcasts/s",
                        "Deliveries/s",
                        "Lost",
                        "p50 ms",
                        "p99 ms",
                        "p999 ms",
                        "Max ms",
                        "Server µs/delivery",
                        "Tool µs/delivery",
                        "Server CPU %",
                        "Tool CPU %",
                        "Other CPU %"),
                (r, rows) -> {
                    for (Map<String, Object> s : steps(r)) {
                        List<Object> row = new ArrayList<>(
                                List.of(r.get("subscribers"), s.get("achievedRate"), s.get("deliveredPerSecond")));
                        row.addAll(stepCells(s, "Delivery"));
                        rows.add(row);
                    }
                });
        table(
                md,
                results,
                "targeted",
                "Targeted pushes (random uids, pipelined backends)",
                List.of(
                        "Server",
                        "Uids",
                        "Target/s",
                        "Sent/s",
                        "Lost",
                        "p50 ms",
                        "p99 ms",
                        "p999 ms",
                        "Max ms",
                        "Server µs/push",
                        "Tool µs/push",
                        "Server CPU %",
                        "Tool CPU %",
                        "Other CPU %"),
                (r, rows) -> {
                    for (Map<String, Object> s : steps(r)) {
                        List<Object> row =
                                new ArrayList<>(List.of(r.get("bound"), s.get("targetRate"), s.get("achievedRate")));
                        row.addAll(stepCells(s, "Push"));
                        rows.add(row);
                    }
                });
        table(
                md,
                results,
                "churn",
                "Churn (connects and closes while pushes flow)",
                List.of(
                        "Server",
                        "Stable",
                        "Churn/s",
                        "Opened",
                        "Failed",
                        "Connect p99 ms",
                        "Pushes/s",
                        "Lost",
                        "p99 ms"),
                (r, rows) -> {
                    Map<String, Object> c = sub(r, "churn");
                    Map<String, Object> p = sub(r, "pushes");
                    rows.add(List.of(
                            r.get("stable"),
                            c.get("achievedRate"),
                            c.get("opened"),
                            c.get("failed"),
                            sub(c, "connectLatencyMs").get("p99"),
                            p.get("achievedRate"),
                            p.get("lost"),
                            sub(p, "latencyMs").get("p99")));
                });
        table(
                md,
                results,
                "resume",
                "Resume storm (herald.v1 clients reconnect at once with their positions)",
                List.of(
                        "Server",
                        "Clients",
                        "Missed each",
                        "Storm s",
                        "Answers",
                        "Received",
                        "Lost",
                        "Duplicates",
                        "Server CPU s",
                        "Server µs/message",
                        "Tool CPU s"),
                (r, rows) -> {
                    Map<String, Object> s = sub(r, "storm");
                    rows.add(List.of(
                            s.getOrDefault("clients", "-"),
                            s.containsKey("expected") && s.get("clients") instanceof Number c && c.longValue() > 0
                                    ? ((Number) s.get("expected")).longValue() / c.longValue()
                                    : "-",
                            s.getOrDefault("seconds", "-"),
                            s.getOrDefault("answers", "-"),
                            s.getOrDefault("received", "-"),
                            s.getOrDefault("lost", "-"),
                            s.getOrDefault("duplicates", "-"),
                            sub(s, "cpu").getOrDefault("serverCpuSeconds", "-"),
                            s.getOrDefault("serverCpuUsPerMessage", "-"),
                            sub(s, "cpu").getOrDefault("clientCpuSeconds", "-")));
                });
        return md.toString();
    }

    /** The cells a fan-out and a targeted step share: loss, latency percentiles, CPU per {@code item}. */
    private static List<Object> stepCells(Map<String, Object> step, String item) {
        Map<String, Object> l = sub(step, "latencyMs");
        return List.of(
                step.get("lost"),
                l.get("p50"),
                l.get("p99"),
                l.get("p999"),
                l.get("max"),
                step.get("serverCpuUsPer" + item),
                step.getOrDefault("clientCpuUsPer" + item, "-"),
                step.get("serverCpuPercent"),
                step.get("clientCpuPercent"),
                step.getOrDefault("otherCpuPercent", "-"));
    }

    private interface Rows {
        void add(Map<String, Object> results, List<List<Object>> rows);
    }

    private static void table(
            StringBuilder md,
            List<Map<String, Object>> all,
            String scenario,
            String title,
            List<String> header,
            Rows rows) {
        List<String> lines = new ArrayList<>();
        for (Map<String, Object> result : all) {
            if (!scenario.equals(result.get("scenario"))) {
                continue;
            }
            List<List<Object>> cells = new ArrayList<>();
            rows.add(sub(result, "results"), cells);
            for (List<Object> row : cells) {
                StringBuilder line = new StringBuilder("| ").append(result.get("label"));
                row.forEach(cell -> line.append(" | ").append(cell));
                lines.add(line.append(" |").toString());
            }
        }
        if (lines.isEmpty()) {
            return;
        }
        md.append("### ").append(title).append("\n\n");
        md.append("| ").append(String.join(" | ", header)).append(" |\n");
        md.append("|").append(" --- |".repeat(header.size())).append("\n");
        lines.forEach(line -> md.append(line).append('\n'));
        md.append('\n');
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> sub(Map<String, Object> map, String key) {
        Object value = map.get(key);
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> steps(Map<String, Object> results) {
        Object steps = results.get("steps");
        return steps instanceof List<?> list ? (List<Map<String, Object>>) list : List.of();
    }
}
