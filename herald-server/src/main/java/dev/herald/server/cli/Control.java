package dev.herald.server.cli;

import dev.herald.netty.NettyTransport.ListenException;
import dev.herald.server.ConfigLoader;
import dev.herald.server.ConfigSource;
import dev.herald.server.HeraldServer;
import dev.herald.server.ServerConfig;
import dev.herald.store.StoreException;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the commands do to a server process: run it, spawn it as a daemon, stop it. */
final class Control {

    static final int OK = 0;
    static final int FAILED = 1;
    /** LSB: status of a program that is not running. */
    static final int NOT_RUNNING = 3;

    /** How long {@code start -d} waits for the daemon to listen. */
    private static final Duration DAEMON_START_TIMEOUT = Duration.ofSeconds(60);

    private Control() {}

    /**
     * Runs a server in this process until SIGTERM or SIGINT, then drains it.
     *
     * @param config the configuration read from {@code source}, for the log and the pid file
     * @param source read again by the server on a reload
     */
    static int runInThisProcess(ServerConfig config, ConfigSource source, boolean daemon, PrintWriter err) {
        Path home = ConfigLoader.home(System.getenv());
        Path logFile = config.log().fileFor(daemon, home);
        if (logFile != null) {
            createParent(logFile);
        }
        Logging.configure(config.log(), logFile);
        Logger log = LoggerFactory.getLogger(Control.class);
        HeraldServer server;
        try {
            server = HeraldServer.start(source, Logging::reconfigure);
        } catch (ListenException | StoreException e) { // a port taken; a data directory in use or unreadable
            log.error("{}", e.getMessage());
            if (!daemon && logFile != null) { // else the console or the daemon's parent shows the log
                err.println("herald: " + e.getMessage());
                err.flush();
            }
            Logging.stop();
            return FAILED;
        }
        long pid = ProcessHandle.current().pid();
        PidFile pidFile = new PidFile(config.server().pidFile());
        CountDownLatch stopped = new CountDownLatch(1);
        // The hook first, the pid file after: whoever sees the pid file may signal at once (a test, a
        // quick stop), and a signal before the hook would end the process without a drain.
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            log.info("stopping (signal)");
                            server.stop();
                            pidFile.deleteIfOwnedBy(pid);
                            Logging.stop();
                            stopped.countDown();
                        },
                        "herald-shutdown"));
        pidFile.write(pid);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return OK;
    }

    /**
     * Starts a server in a new background process and returns once it listens (its pid file appears) or
     * has failed (its log says why).
     */
    static int spawnDaemon(ServerConfig config, List<String> arguments, PrintWriter out, PrintWriter err) {
        Path home = ConfigLoader.home(System.getenv());
        Path logFile = config.log().fileFor(true, home);
        createParent(logFile);
        PidFile pidFile = new PidFile(config.server().pidFile());
        pidFile.delete(); // stale: the caller checked that nothing runs
        long logOffset = size(logFile);

        List<String> command = new ArrayList<>();
        findOnPath("setsid").ifPresent(setsid -> command.add(setsid.toString())); // detach from the terminal
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(ManagementFactory.getRuntimeMXBean().getClassPath());
        command.add(Main.class.getName());
        command.add("start");
        command.add(StartCommand.DAEMON_CHILD);
        command.addAll(arguments);
        Process child;
        try {
            child = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            err.println("herald: cannot start the daemon: " + e.getMessage());
            return FAILED;
        }

        long deadline = System.nanoTime() + DAEMON_START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<ProcessHandle> running = pidFile.running();
            if (running.isPresent()) {
                out.println("Herald started as a daemon (pid " + running.get().pid() + "), log: " + logFile);
                newLogLines(logFile, logOffset).stream()
                        .filter(line -> line.contains("listening"))
                        .forEach(out::println);
                return OK;
            }
            if (!child.isAlive()) {
                err.println("herald: the daemon exited with status " + child.exitValue() + " before it listened:");
                tail(newLogLines(logFile, logOffset), 20).forEach(line -> err.println("  " + line));
                return FAILED;
            }
            pause(50);
        }
        child.destroyForcibly();
        err.println("herald: the daemon did not listen within " + DAEMON_START_TIMEOUT.toSeconds()
                + "s; killed it. Log: " + logFile);
        return FAILED;
    }

    /** Sends SIGTERM to the running server and waits for it to drain; SIGKILL after the timeout. */
    static int stop(ServerConfig config, PrintWriter out, PrintWriter err) {
        PidFile pidFile = new PidFile(config.server().pidFile());
        Optional<ProcessHandle> running = pidFile.running();
        if (running.isEmpty()) {
            pidFile.delete();
            out.println("Herald is not running (no live process in " + pidFile.path() + ")");
            return OK;
        }
        ProcessHandle process = running.get();
        long grace = config.server().shutdownTimeout().toMillis() + 5000;
        process.destroy();
        if (waitForExit(process, grace)) {
            pidFile.deleteIfOwnedBy(process.pid());
            out.println("Herald stopped (pid " + process.pid() + ")");
            return OK;
        }
        process.destroyForcibly();
        waitForExit(process, 5000);
        pidFile.deleteIfOwnedBy(process.pid());
        err.println("herald: pid " + process.pid() + " did not stop within " + grace + " ms; killed it");
        return FAILED;
    }

    /**
     * Waits up to {@code millis} for {@code process} to exit; true if it did. A zombie counts as exited
     * ({@link PidFile#alive}): {@link ProcessHandle#onExit()} would wait for its parent to reap it. False
     * if interrupted.
     */
    static boolean waitForExit(ProcessHandle process, long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (PidFile.alive(process)) {
            if (System.nanoTime() - deadline >= 0 || Thread.currentThread().isInterrupted()) {
                return false;
            }
            pause(20);
        }
        return true;
    }

    private static Optional<Path> findOnPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static void createParent(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directory of " + file, e);
        }
    }

    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static List<String> newLogLines(Path file, long offset) {
        try {
            byte[] all = Files.readAllBytes(file);
            int from = (int) Math.min(offset, all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8)
                    .lines()
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static List<String> tail(List<String> lines, int count) {
        return lines.subList(Math.max(0, lines.size() - count), lines.size());
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
