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

    /** The running Herald process this file names, if any. */
    Optional<ProcessHandle> running() {
        OptionalLong pid = read();
        if (pid.isEmpty()) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid.getAsLong()).filter(ProcessHandle::isAlive).filter(PidFile::looksLikeHerald);
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
