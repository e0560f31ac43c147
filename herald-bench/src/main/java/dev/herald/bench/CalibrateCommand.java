package dev.herald.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The tool's own floor: compiles the trivial seed-protocol server of {@code bench/floor-server.c} (in
 * the jar), and runs the everyday loads against it, each in a fresh tool process against a freshly
 * started server, exactly as against any other server ({@code --server seed --label floor
 * --server-pid PID}). Whatever latency these runs report is the tool's, the kernel's and a few
 * microseconds of a C loop: the part of any other server's figure that is not the server.
 */
@Command(
        name = "calibrate",
        mixinStandardHelpOptions = true,
        description = "Measure the tool's own floor: compile and start bench/floor-server.c (a trivial C server "
                + "of the seed protocol), run targeted and fan-out loads against it (label floor), print their "
                + "JSON lines and a table.")
final class CalibrateCommand implements Callable<Integer> {

    /** The resource the build copies {@code bench/floor-server.c} to. */
    static final String SOURCE_RESOURCE = "/floor-server.c";

    @Option(
            names = "--cc",
            defaultValue = "cc",
            description = "C compiler for the floor server. Default: ${DEFAULT-VALUE}.")
    String cc;

    @Option(
            names = "--source",
            description = "The floor server's C source. Default: the copy of bench/floor-server.c in the jar.")
    Path source;

    @Option(
            names = "--ws-port",
            defaultValue = "31234",
            description = "WebSocket port of the floor server (loopback). Default: ${DEFAULT-VALUE}.")
    int wsPort;

    @Option(
            names = "--text-port",
            defaultValue = "35678",
            description = "Text port of the floor server (loopback). Default: ${DEFAULT-VALUE}.")
    int textPort;

    @Option(
            names = {"-n", "--connections"},
            defaultValue = "10000",
            description = "Connections. Default: ${DEFAULT-VALUE}.")
    int connections;

    @Option(
            names = "--targeted-rates",
            split = ",",
            defaultValue = "2000,20000",
            description = "Targeted pushes per second, one step each; empty for none. Default: ${DEFAULT-VALUE}.")
    List<String> targetedRates;

    @Option(
            names = "--fanout-rates",
            split = ",",
            defaultValue = "5,10",
            description = "Broadcasts per second (one push line per subscriber), one step each; empty for none. "
                    + "Default: ${DEFAULT-VALUE}.")
    List<String> fanoutRates;

    @Option(
            names = "--targeted-step",
            defaultValue = "5s",
            description = "Duration of a targeted step. Default: ${DEFAULT-VALUE}.")
    Duration targetedStep;

    @Option(
            names = "--fanout-step",
            defaultValue = "8s",
            description = "Duration of a fan-out step. Default: ${DEFAULT-VALUE}.")
    Duration fanoutStep;

    @Option(
            names = "--warmup",
            defaultValue = "3s",
            description = "Unreported warm-up step of each run. Default: ${DEFAULT-VALUE}.")
    Duration warmup;

    @Option(names = "--out", description = "Also append the JSON lines to this file.")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Path dir = Files.createTempDirectory("herald-bench-floor");
        try {
            Path binary = compile(dir, err);
            Path lines = dir.resolve("calibration.jsonl");
            List<List<String>> runs = new ArrayList<>();
            List<String> targeted = rates(targetedRates);
            if (!targeted.isEmpty()) {
                runs.add(List.of(
                        "targeted",
                        "-n",
                        String.valueOf(connections),
                        "--rates",
                        String.join(",", targeted),
                        "--step",
                        DurationConverter.format(targetedStep),
                        "--max-p99",
                        "60s",
                        "--min-achieved",
                        "0"));
            }
            List<String> fanout = rates(fanoutRates);
            if (!fanout.isEmpty()) {
                runs.add(List.of(
                        "fanout",
                        "-n",
                        String.valueOf(connections),
                        "--rates",
                        String.join(",", fanout),
                        "--step",
                        DurationConverter.format(fanoutStep)));
            }
            for (List<String> run : runs) {
                runAgainstAFreshServer(binary, run, lines, err);
            }
            List<Map<String, Object>> results = new ArrayList<>();
            if (Files.exists(lines)) {
                for (String line : Files.readAllLines(lines)) {
                    if (!line.isBlank()) {
                        spec.commandLine().getOut().println(line);
                        results.add(ResultLine.parse(line));
                    }
                }
                if (out != null) {
                    Files.write(out, Files.readAllBytes(lines), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                }
            }
            spec.commandLine().getOut().flush();
            err.println();
            err.println("## The tool's floor: herald-bench against bench/floor-server.c");
            err.println();
            err.print(SideBySide.markdown(results, "floor"));
            err.flush();
            return results.isEmpty() ? 1 : 0;
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static List<String> rates(List<String> rates) {
        return rates.stream().map(String::trim).filter(r -> !r.isEmpty()).toList();
    }

    /** Compiles the floor server into {@code dir}. */
    private Path compile(Path dir, PrintWriter err) throws IOException, InterruptedException {
        Path c = dir.resolve("floor-server.c");
        if (source != null) {
            Files.copy(source, c, StandardCopyOption.REPLACE_EXISTING);
        } else {
            try (InputStream in = CalibrateCommand.class.getResourceAsStream(SOURCE_RESOURCE)) {
                if (in == null) {
                    throw new BenchRun.BenchException(
                            "this jar holds no floor-server.c: give --source bench/floor-server.c");
                }
                Files.copy(in, c);
            }
        }
        Path binary = dir.resolve("floor-server");
        Process compiler;
        try {
            compiler = new ProcessBuilder(cc, "-O2", "-o", binary.toString(), c.toString())
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new BenchRun.BenchException("calibrate needs a C compiler: cannot run '" + cc + "' (" + e.getMessage()
                    + "); install one or give --cc");
        }
        String output = new String(compiler.getInputStream().readAllBytes());
        if (!compiler.waitFor(120, TimeUnit.SECONDS) || compiler.exitValue() != 0) {
            throw new BenchRun.BenchException("compiling the floor server failed: " + output);
        }
        err.println("calibrate: compiled the floor server (" + cc + " -O2)");
        return binary;
    }

    /** Starts the floor server, runs one scenario against it in a fresh tool process, stops the server. */
    private void runAgainstAFreshServer(Path binary, List<String> scenario, Path lines, PrintWriter err)
            throws IOException, InterruptedException {
        Process server = new ProcessBuilder(binary.toString(), String.valueOf(wsPort), String.valueOf(textPort))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            awaitListening(server);
            List<String> command = new ArrayList<>(toolCommand());
            command.addAll(scenario);
            command.addAll(List.of(
                    "--server",
                    "seed",
                    "--label",
                    "floor",
                    "--server-pid",
                    String.valueOf(server.pid()),
                    "--ws",
                    "ws://127.0.0.1:" + wsPort + "/",
                    "--text",
                    "127.0.0.1:" + textPort,
                    "--warmup",
                    DurationConverter.format(warmup),
                    "--out",
                    lines.toString()));
            err.println("calibrate: " + String.join(" ", scenario));
            err.flush();
            Process tool = new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            if (!tool.waitFor(15, TimeUnit.MINUTES)) {
                tool.destroyForcibly();
                err.println("calibrate: " + scenario.get(0) + " did not finish in 15 minutes; stopped it");
            } else if (tool.exitValue() != 0) {
                err.println("calibrate: " + scenario.get(0) + " exited with " + tool.exitValue());
            }
        } finally {
            server.destroy();
            if (!server.waitFor(5, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /** Waits until the floor server's Text port accepts connections, or it exits. */
    private void awaitListening(Process server) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new BenchRun.BenchException("the floor server exited with " + server.exitValue() + " (are ports "
                        + wsPort + " and " + textPort + " free?)");
            }
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", textPort), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new BenchRun.BenchException("the floor server did not listen on " + textPort + " within 10 s");
    }

    /** This tool again, as a fresh process with this JVM's flags: how a scenario runs from the launcher. */
    private static List<String> toolCommand() {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> flags = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(f -> !f.startsWith("-agentlib:jdwp") && !f.startsWith("-XX:StartFlightRecording"))
                .collect(Collectors.toList());
        List<String> command = new ArrayList<>(Arrays.asList(java));
        command.addAll(flags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        return command;
    }
}
