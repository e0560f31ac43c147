package dev.herald.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Result lines of several runs, side by side: every run of the same label, scenario and rate (a step)
 * is one sample, and each table shows, per label, the median of its samples with their minimum and
 * maximum. One table per scenario and rate, a column per label (the calibration label last), a row
 * per figure; plus one memory table for the idle runs. Pure functions of the parsed lines.
 */
final class SideBySide {

    /** The label of the calibration server, shown in the last column. */
    static final String DEFAULT_CALIBRATION = "floor";

    /** One figure of a step or a run: a row of a table; a count is shown as a whole number. */
    private record Figure(String name, boolean count, Function<Map<String, Object>, Object> value) {

        Figure(String name, Function<Map<String, Object>, Object> value) {
            this(name, false, value);
        }

        static Figure count(String name, Function<Map<String, Object>, Object> value) {
            return new Figure(name, true, value);
        }
    }

    /** A table: what it is about (for ordering), a title, and its samples by label and figure. */
    private static final class Table {
        final String title;
        final List<Figure> figures;
        final Map<String, Map<String, List<Double>>> samples = new LinkedHashMap<>(); // label -> figure -> values
        final Map<String, Integer> runs = new LinkedHashMap<>();

        Table(String title, List<Figure> figures) {
            this.title = title;
            this.figures = figures;
        }

        void add(String label, Map<String, Object> source) {
            runs.merge(label, 1, Integer::sum);
            Map<String, List<Double>> byFigure = samples.computeIfAbsent(label, l -> new LinkedHashMap<>());
            for (Figure figure : figures) {
                double v = number(figure.value.apply(source));
                if (!Double.isNaN(v)) {
                    byFigure.computeIfAbsent(figure.name, f -> new ArrayList<>())
                            .add(v);
                }
            }
        }
    }

    private static final List<Figure> TARGETED = List.of(
            Figure.count("Sent/s", s -> s.get("achievedRate")),
            new Figure("p50 ms", s -> sub(s, "latencyMs").get("p50")),
            new Figure("p99 ms", s -> sub(s, "latencyMs").get("p99")),
            new Figure("p999 ms", s -> sub(s, "latencyMs").get("p999")),
            new Figure("Server CPU µs/push", s -> s.get("serverCpuUsPerPush")),
            new Figure("Tool CPU µs/push", s -> s.get("clientCpuUsPerPush")),
            Figure.count("Lost", s -> s.get("lost")),
            new Figure("Other processes' CPU %", s -> s.get("otherCpuPercent")));

    private static final List<Figure> FANOUT = List.of(
            Figure.count("Deliveries/s", s -> s.get("deliveredPerSecond")),
            new Figure("p50 ms", s -> sub(s, "latencyMs").get("p50")),
            new Figure("p99 ms", s -> sub(s, "latencyMs").get("p99")),
            new Figure("p999 ms", s -> sub(s, "latencyMs").get("p999")),
            new Figure("Server CPU µs/delivery", s -> s.get("serverCpuUsPerDelivery")),
            new Figure("Tool CPU µs/delivery", s -> s.get("clientCpuUsPerDelivery")),
            Figure.count("Lost", s -> s.get("lost")),
            new Figure("Other processes' CPU %", s -> s.get("otherCpuPercent")));

    private static final List<Figure> IDLE = List.of(
            Figure.count("Opened", r -> r.get("opened")),
            Figure.count("Failed", r -> r.get("failed")),
            new Figure("Connect+bind s", r -> r.get("connectBindSeconds")),
            new Figure("RSS before MiB", r -> mib(sub(r, "server").get("rssBefore"))),
            new Figure("RSS after MiB", r -> mib(sub(r, "server").get("rssAfter"))),
            Figure.count("RSS growth B/connection", r -> sub(r, "server").get("rssPerConnection")),
            Figure.count("Live heap B/connection", r -> sub(r, "server").get("liveHeapPerConnection")),
            Figure.count("Verify pushes lost", r -> sub(r, "verify").get("lost")));

    private static final List<Figure> CHURN = List.of(
            Figure.count("Churn connects/s", r -> sub(r, "churn").get("achievedRate")),
            Figure.count("Churn failed", r -> sub(r, "churn").get("failed")),
            new Figure(
                    "Connect p99 ms",
                    r -> sub(sub(r, "churn"), "connectLatencyMs").get("p99")),
            Figure.count("Pushes/s", r -> sub(r, "pushes").get("achievedRate")),
            new Figure("Push p99 ms", r -> sub(sub(r, "pushes"), "latencyMs").get("p99")),
            Figure.count("Pushes lost", r -> sub(r, "pushes").get("lost")));

    private static final List<Figure> RESUME = List.of(
            new Figure(
                    "Storm s (until all have every missed message)",
                    r -> sub(r, "storm").get("seconds")),
            Figure.count("Recovered", r -> sub(sub(r, "storm"), "answers").get("recovered")),
            Figure.count("Lost", r -> sub(r, "storm").get("lost")),
            Figure.count("Duplicates", r -> sub(r, "storm").get("duplicates")),
            Figure.count("Reconnect failures", r -> sub(r, "storm").get("failed")),
            new Figure("Server CPU s", r -> sub(sub(r, "storm"), "cpu").get("serverCpuSeconds")),
            new Figure("Server CPU µs/message", r -> sub(r, "storm").get("serverCpuUsPerMessage")),
            new Figure("Tool CPU s", r -> sub(sub(r, "storm"), "cpu").get("clientCpuSeconds")),
            new Figure(
                    "Other processes' CPU %", r -> sub(sub(r, "storm"), "cpu").get("otherCpuPercent")));

    private SideBySide() {}

    /** The markdown tables of {@code lines}, with {@code calibration} as the last column where present. */
    static String markdown(List<Map<String, Object>> lines, String calibration) {
        // Sorted by scenario, then method, connections and rate, so rounds interleaved in a file group.
        Map<String, Table> tables = new TreeMap<>();
        Map<Long, Map<String, List<Double>>> memory = new TreeMap<>(); // connections -> label -> MiB
        List<String> labels = new ArrayList<>();
        for (Map<String, Object> line : lines) {
            String label = String.valueOf(line.get("label"));
            if (!labels.contains(label)) {
                labels.add(label);
            }
            String scenario = String.valueOf(line.get("scenario"));
            Map<String, Object> results = sub(line, "results");
            long n = (long) number(sub(line, "params").get("connections"));
            switch (scenario) {
                case "targeted" -> {
                    for (Map<String, Object> step : steps(results)) {
                        double rate = number(step.get("targetRate"));
                        tables.computeIfAbsent(
                                        key(1, "", n, rate),
                                        k -> new Table(
                                                String.format(
                                                        Locale.ROOT,
                                                        "Targeted, %s pushes/s to random uids (%s connections)",
                                                        count(rate),
                                                        count(n)),
                                                TARGETED))
                                .add(label, step);
                    }
                }
                case "fanout" -> {
                    String method = String.valueOf(results.get("broadcast"));
                    for (Map<String, Object> step : steps(results)) {
                        double rate = number(step.get("targetRate"));
                        String how =
                                method.equals("herald") ? "Herald's broadcast command" : "one push line per subscriber";
                        tables.computeIfAbsent(
                                        key(2, method, n, rate),
                                        k -> new Table(
                                                String.format(
                                                        Locale.ROOT,
                                                        "Fan-out, %s broadcasts/s to %s subscribers, by %s",
                                                        count(rate),
                                                        count(n),
                                                        how),
                                                FANOUT))
                                .add(label, step);
                    }
                }
                case "idle" -> {
                    tables.computeIfAbsent(
                                    key(0, "", n, 0),
                                    k -> new Table(String.format(Locale.ROOT, "Idle, %s connections", count(n)), IDLE))
                            .add(label, results);
                    Map<String, Object> server = sub(results, "server");
                    addMemory(memory, 0, label, server.get("rssBefore"));
                    addMemory(memory, n, label, server.get("rssAfter"));
                }
                case "churn" -> {
                    double rate = number(sub(results, "churn").get("targetRate"));
                    tables.computeIfAbsent(
                                    key(3, "", n, rate),
                                    k -> new Table(
                                            String.format(
                                                    Locale.ROOT,
                                                    "Churn, %s connects+closes/s beside %s connections",
                                                    count(rate),
                                                    count(n)),
                                            CHURN))
                            .add(label, results);
                }
                case "resume" -> {
                    double missed = number(sub(line, "params").get("missed"));
                    tables.computeIfAbsent(
                                    key(4, "", n, missed),
                                    k -> new Table(
                                            String.format(
                                                    Locale.ROOT,
                                                    "Resume storm, %s herald.v1 clients back at once, %s missed each",
                                                    count(n),
                                                    count(missed)),
                                            RESUME))
                            .add(label, results);
                }
                default -> {
                    // other lines (older floor.c results, say): not part of these tables
                }
            }
        }
        List<String> columns = new ArrayList<>(labels);
        if (columns.remove(calibration)) {
            columns.add(calibration);
        }
        StringBuilder md = new StringBuilder();
        if (!memory.isEmpty()) {
            memoryTable(md, memory, columns, calibration);
        }
        tables.values().forEach(t -> table(md, t, columns, calibration));
        return md.toString();
    }

    private static String key(int order, String method, long connections, double rate) {
        return String.format(Locale.ROOT, "%d %-8s %09d %015.3f", order, method, connections, rate);
    }

    private static void addMemory(Map<Long, Map<String, List<Double>>> memory, long n, String label, Object rss) {
        double bytes = number(rss);
        if (!Double.isNaN(bytes) && bytes >= 0) {
            memory.computeIfAbsent(n, k -> new LinkedHashMap<>())
                    .computeIfAbsent(label, l -> new ArrayList<>())
                    .add(bytes / 1048576.0);
        }
    }

    private static void memoryTable(
            StringBuilder md, Map<Long, Map<String, List<Double>>> memory, List<String> columns, String calibration) {
        List<String> present = columns.stream()
                .filter(c -> memory.values().stream().anyMatch(m -> m.containsKey(c)))
                .toList();
        md.append("### Memory: total RSS (MiB) with idle, bound connections\n\n");
        header(md, "Connections", present, calibration, label -> "");
        for (Map.Entry<Long, Map<String, List<Double>>> row : memory.entrySet()) {
            md.append("| ").append(count(row.getKey()));
            for (String label : present) {
                md.append(" | ").append(cell(row.getValue().get(label), false));
            }
            md.append(" |\n");
        }
        md.append('\n');
    }

    private static void table(StringBuilder md, Table t, List<String> columns, String calibration) {
        List<String> present = columns.stream().filter(t.samples::containsKey).toList();
        md.append("### ").append(t.title).append("\n\n");
        header(md, "Figure", present, calibration, label -> {
            int runs = t.runs.get(label);
            return runs == 1 ? " (1 run)" : " (" + runs + " runs)";
        });
        for (Figure figure : t.figures) {
            if (present.stream().noneMatch(l -> t.samples.get(l).containsKey(figure.name))) {
                continue;
            }
            md.append("| ").append(figure.name);
            for (String label : present) {
                md.append(" | ").append(cell(t.samples.get(label).get(figure.name), figure.count));
            }
            md.append(" |\n");
        }
        md.append('\n');
    }

    private static void header(
            StringBuilder md, String first, List<String> labels, String calibration, Function<String, String> note) {
        md.append("| ").append(first);
        for (String label : labels) {
            md.append(" | ").append(label).append(note.apply(label));
            if (label.equals(calibration)) {
                md.append(", calibration");
            }
        }
        md.append(" |\n|").append(" --- |".repeat(labels.size() + 1)).append('\n');
    }

    /**
     * The median of {@code values}, and their range when they differ: {@code 0.26 (0.21–0.31)}; "—" if
     * none. Counts are whole numbers (a median between two is shown with one decimal).
     */
    static String cell(List<Double> values, boolean count) {
        if (values == null || values.isEmpty()) {
            return "—";
        }
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Comparator.naturalOrder());
        double min = sorted.get(0);
        double max = sorted.get(sorted.size() - 1);
        Function<Double, String> f = count ? SideBySide::count : SideBySide::format;
        String median = f.apply(median(sorted));
        return min == max ? median : median + " (" + f.apply(min) + "–" + f.apply(max) + ")";
    }

    /** The median of sorted values (the mean of the middle two for an even count). */
    static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** Three significant figures or so, with thousands separators: 0.083, 2.72, 41.5, 1,234. */
    static String format(double v) {
        double a = Math.abs(v);
        if (v == 0) {
            return "0";
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /** A count: whole and grouped (1,000), or with one decimal when it is not whole (a median). */
    static String count(double v) {
        return String.format(Locale.ROOT, v == Math.rint(v) ? "%,.0f" : "%,.1f", v);
    }

    private static Object mib(Object bytes) {
        double b = number(bytes);
        return Double.isNaN(b) || b < 0 ? null : b / 1048576.0;
    }

    /** A number, or NaN for null, non-numbers and the -1 of "unknown". */
    private static double number(Object value) {
        if (value instanceof Number n) {
            double d = n.doubleValue();
            return d == -1 ? Double.NaN : d;
        }
        return Double.NaN;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> sub(Map<String, Object> map, String key) {
        Object value = map == null ? null : map.get(key);
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> steps(Map<String, Object> results) {
        Object steps = results.get("steps");
        return steps instanceof List<?> list ? (List<Map<String, Object>>) list : List.of();
    }
}
