package dev.herald.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.reflect.Array;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Spec;

/**
 * A scenario: runs against the server, then prints one JSON line with every parameter and result to
 * standard output (and to {@code --out}), and a readable summary to standard error.
 */
abstract class ScenarioCommand implements Callable<Integer> {

    @Mixin
    BenchOptions options;

    @Spec
    CommandSpec spec;

    /** Client connections the scenario holds at most at once (for the open-file check). */
    abstract long connections();

    /** Backend connections the scenario opens. */
    abstract int backendConnections();

    /** Whether the backends share the client loop unless {@code --backend-loop} says (see ClientTransport). */
    boolean sharedLoopByDefault() {
        return false;
    }

    /** Checks the scenario's own options; throws IllegalArgumentException naming the option. */
    void validate() {}

    /** Runs and returns the results. */
    abstract Map<String, Object> run(BenchRun run) throws Exception;

    /** A few readable lines about {@code results}. */
    abstract List<String> summary(Map<String, Object> results);

    @Override
    public Integer call() throws Exception {
        try {
            options.validate();
            validate();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("scenario", spec.name());
        line.put("label", options.label());
        line.put("time", Instant.now().toString());
        boolean shared = options.backendLoop == null ? sharedLoopByDefault() : options.backendLoop.equals("shared");
        try (BenchRun run = BenchRun.start(options, connections(), backendConnections(), shared, err)) {
            line.put("server", run.serverInfo());
            line.put("tool", run.toolInfo());
            line.put("params", params());
            run.progress("%s: %s", spec.name(), line.get("params"));
            line.put("results", run(run));
        }
        String json = ResultLine.toJson(line);
        out.println(json);
        out.flush();
        if (options.out != null) {
            try {
                Files.writeString(options.out, json + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                err.println("herald-bench: cannot append to " + options.out + ": " + e.getMessage());
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> results = (Map<String, Object>) line.get("results");
        err.println("== " + spec.name() + " (" + options.label() + ")");
        summary(results).forEach(s -> err.println("   " + s));
        err.flush();
        return 0;
    }

    /** Every option of the command and its value, by long name without dashes. */
    Map<String, Object> params() {
        Map<String, Object> params = new LinkedHashMap<>();
        for (OptionSpec option : spec.options()) {
            if (option.usageHelp() || option.versionHelp()) {
                continue;
            }
            params.put(option.longestName().replaceFirst("^-+", ""), plain(option.getValue()));
        }
        return params;
    }

    private static Object plain(Object value) {
        if (value == null || value instanceof Number || value instanceof Boolean || value instanceof String) {
            return value;
        }
        if (value instanceof Duration d) {
            return DurationConverter.format(d);
        }
        if (value instanceof Enum<?> e) {
            return e.name();
        }
        if (value instanceof URI || value instanceof Path) {
            return value.toString();
        }
        if (value.getClass().isArray()) {
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < Array.getLength(value); i++) {
                list.add(plain(Array.get(value, i)));
            }
            return list;
        }
        return value.toString();
    }

    /**
     * Opens {@code count} clients with the run's uids and returns those that opened.
     *
     * @throws BenchRun.BenchException if none did: there is nothing to measure
     */
    static List<Client> openClients(BenchRun run, int count) {
        List<Client> opened = run.clients.openAll(count, run.options::uid, run.options.connectConcurrency).stream()
                .filter(Client::isOpen)
                .toList();
        if (opened.isEmpty()) {
            throw new BenchRun.BenchException("no connection to " + run.options.ws + " could be opened: "
                    + run.clients.failures() + " " + run.clients.failureExamples());
        }
        return opened;
    }

    /** {@code results.get(key)} as a map, for summaries. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> results, String key) {
        return (Map<String, Object>) results.get(key);
    }
}
