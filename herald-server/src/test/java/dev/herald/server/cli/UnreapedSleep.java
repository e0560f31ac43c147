package dev.herald.server.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real {@code sleep 60} whose parent does not reap it until {@link #close()}, so that once it dies it stays a
 * zombie. The parent is a Perl process (Perl is part of every Debian) blocked reading its stdin, which leaves
 * SIGCHLD alone: the JVM would reap a child of its own at once, and a shell may reap its background jobs
 * while it waits in {@code read}.
 */
final class UnreapedSleep implements AutoCloseable {

    /** The state letter after the command name, which {@code .*} reads up to its last {@code ')'}. */
    private static final Pattern STATE = Pattern.compile("^\\d+ \\(.*\\) (\\S) ", Pattern.DOTALL);

    private final Process shell;
    private final ProcessHandle sleep;

    private UnreapedSleep(Process shell, ProcessHandle sleep) {
        this.shell = shell;
        this.sleep = sleep;
    }

    static UnreapedSleep start() throws IOException {
        Process shell = new ProcessBuilder(
                        "perl",
                        "-e",
                        "$| = 1; my $pid = fork(); if ($pid == 0) { exec('sleep', '60'); }"
                                + " print \"$pid\\n\"; my $line = <STDIN>; waitpid($pid, 0);")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            String pid = new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            return new UnreapedSleep(
                    shell, ProcessHandle.of(Long.parseLong(pid)).orElseThrow());
        } catch (IOException | RuntimeException e) {
            shell.destroyForcibly();
            throw e;
        }
    }

    ProcessHandle handle() {
        return sleep;
    }

    /** The state letter in {@code /proc/<pid>/stat}, read independently of {@link PidFile#state}. */
    String procState() {
        try {
            Matcher matcher = STATE.matcher(Files.readString(Path.of("/proc/" + sleep.pid() + "/stat")));
            return matcher.find() ? matcher.group(1) : "?";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills the sleep, lets its parent reap it and exit; forces the parent if it does not within 10 s. */
    @Override
    public void close() throws IOException {
        sleep.destroyForcibly();
        shell.getOutputStream().close(); // the read returns, waitpid reaps the sleep
        try {
            if (!shell.waitFor(10, TimeUnit.SECONDS)) {
                shell.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            shell.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
