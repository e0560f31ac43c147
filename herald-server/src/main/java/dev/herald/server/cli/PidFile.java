package dev.herald.server.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The pid file of a running server: one decimal pid and a newline. Written atomically once every port
 * listens; removed on a clean exit. A pid file whose process is gone, or is not a Herald (the pid was
 * reused), counts as stale.
 */
final class PidFile {

    private final Path path;

    PidFile(Path path) {
        this.path = path;
    }

    Path path() {
        return path;
    }

    OptionalLong read() {
        try {
            String text = Files.readString(path, StandardCharsets.US_ASCII).trim();
            return OptionalLong.of(Long.parseLong(text));
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** The running Herald process this file names, if any; a zombie does not count (see {@link #alive}). */
    Optional<ProcessHandle> running() {
        OptionalLong pid = read();
        if (pid.isEmpty()) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid.getAsLong()).filter(PidFile::alive).filter(PidFile::looksLikeHerald);
    }

    /**
     * Whether {@code process} still runs. Unlike {@link ProcessHandle#isAlive()}, a process that has exited
     * but is not yet reaped by its parent (a zombie, e.g. just after {@code kill -9}) counts as gone: it
     * holds no ports and will never run again. Where {@code /proc} is missing (not Linux) this is
     * {@code isAlive()}.
     */
    static boolean alive(ProcessHandle process) {
        return process.isAlive()
                && state(process.pid())
                        .map(state -> state != 'Z' && state != 'X')
                        .orElse(true);
    }

    /**
     * The state letter of {@code pid} in {@code /proc/<pid>/stat} ({@code R}, {@code S}, {@code Z}, ...), or
     * empty if that file cannot be read. The letter follows the command name in parentheses, which may itself
     * contain spaces and parentheses, so it is found after the last {@code ')'}.
     */
    static Optional<Character> state(long pid) {
        String stat;
        try {
            // ISO-8859-1 maps every byte: the command name is not necessarily valid in any other charset
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return Optional.empty();
        }
        int at = stat.lastIndexOf(')') + 2; // ") S ..."
        return at >= 2 && at < stat.length() ? Optional.of(stat.charAt(at)) : Optional.empty();
    }

    private static boolean looksLikeHerald(ProcessHandle process) {
        return process.info()
                .commandLine()
                .map(line -> line.toLowerCase(Locale.ROOT).contains("herald"))
                .orElse(true);
    }

    void write(long pid) {
        try {
            Files.createDirectories(path.toAbsolutePath().getParent());
            Path temp = path.resolveSibling(path.getFileName() + ".tmp");
            Files.writeString(temp, pid + "\n", StandardCharsets.US_ASCII);
            Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write pid file " + path, e);
        }
    }

    /** Deletes the file if it names {@code pid} (a newer server may have replaced it). */
    void deleteIfOwnedBy(long pid) {
        if (read().orElse(-1) == pid) {
            delete();
        }
    }

    void delete() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // nothing better to do: a stale file is detected by the next reader
        }
    }
}
