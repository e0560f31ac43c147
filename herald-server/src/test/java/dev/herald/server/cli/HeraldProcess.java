package dev.herald.server.cli;

import dev.herald.testkit.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the built {@code herald.jar} as a real process with its own home directory, for CLI tests. */
final class HeraldProcess {

    private static final Path JAR = Path.of("target/herald.jar").toAbsolutePath();

    record Result(int exitCode, String out, String err) {}

    private final Path home;
    private final int webSocketPort;
    private final int textPort;
    private final int httpPort;

    /**
     * A server whose three listeners get distinct free ports that the kernel does not hand out by itself
     * ({@link FreePorts}): the process binds them a second later, and a port that was merely free when
     * chosen could meanwhile have become another socket's.
     */
    HeraldProcess(Path home) {
        this.home = home;
        int[] ports = FreePorts.take(3);
        this.webSocketPort = ports[0];
        this.textPort = ports[1];
        this.httpPort = ports[2];
    }

    int webSocketPort() {
        return webSocketPort;
    }

    int textPort() {
        return textPort;
    }

    int httpPort() {
        return httpPort;
    }

    Path home() {
        return home;
    }

    /** The command's arguments, plus free loopback ports for all three listeners. */
    List<String> args(String command, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                command,
                "--websocket.host=127.0.0.1",
                "--websocket.port=" + webSocketPort,
                "--text.port=" + textPort,
                "--http.port=" + httpPort,
                "--server.shutdown-timeout=3s"));
        args.addAll(List.of(extra));
        return args;
    }

    /** Runs {@code herald ARGS} to completion (bounded) and captures its output. */
    Result run(List<String> args) {
        try {
            Process process = start(args);
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("herald " + args + " did not finish");
            }
            return new Result(
                    process.exitValue(),
                    new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                    new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    Result run(String command, String... extra) {
        return run(args(command, extra));
    }

    /** Starts {@code herald ARGS} without waiting, its output going to {@link #console()}. */
    Process startInBackground(List<String> args) throws IOException {
        ProcessBuilder builder = builder(args);
        builder.redirectErrorStream(true).redirectOutput(console().toFile());
        return builder.start();
    }

    Path console() {
        return home.resolve("console.out");
    }

    private Process start(List<String> args) throws IOException {
        return builder(args).start();
    }

    private ProcessBuilder builder(List<String> args) {
        if (!Files.exists(JAR)) {
            throw new AssertionError(JAR + " is missing: run the package phase first (./mvnw verify does)");
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(ProcessHandle.current().info().command().orElse("java")).toString(), "-jar", JAR.toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile());
        builder.environment().put("HERALD_HOME", home.toString());
        builder.environment().remove("HERALD_CONFIG");
        builder.environment().keySet().removeIf(name -> name.startsWith("HERALD_") && !name.equals("HERALD_HOME"));
        return builder;
    }

    Path pidFile() {
        return home.resolve("run/herald.pid");
    }

    Path logFile() {
        return home.resolve("logs/herald.log");
    }
}
