package dev.herald.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** {@link PidFile#running()} against real processes: live, zombie, and with an awkward command name. */
@EnabledOnOs(OS.LINUX)
class PidFileTest {

    @TempDir
    Path dir;

    private Process process;
    private UnreapedSleep unreaped;

    @AfterEach
    void stopProcesses() throws Exception {
        if (process != null) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (unreaped != null) {
            unreaped.close();
        }
    }

    @Test
    void aLiveHeraldIsRunning() throws IOException {
        process = new ProcessBuilder("sh", "-c", "read line", "herald").start(); // "herald" is its $0
        PidFile pidFile = new PidFile(dir.resolve("herald.pid"));
        pidFile.write(process.pid());

        assertThat(PidFile.state(process.pid()))
                .hasValueSatisfying(state -> assertThat(state).isIn('R', 'S'));
        assertThat(pidFile.running()).map(ProcessHandle::pid).hasValue(process.pid());
    }

    @Test
    void aZombieIsNotRunning() throws IOException {
        unreaped = UnreapedSleep.start();
        ProcessHandle sleep = unreaped.handle();
        PidFile pidFile = new PidFile(dir.resolve("herald.pid"));
        pidFile.write(sleep.pid());
        assertThat(PidFile.alive(sleep)).isTrue();

        sleep.destroyForcibly(); // kill -9
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(unreaped.procState()).isEqualTo("Z"));

        assertThat(sleep.isAlive()).as("the JDK still calls a zombie alive").isTrue();
        assertThat(PidFile.state(sleep.pid())).hasValue('Z');
        assertThat(PidFile.alive(sleep)).isFalse();
        // a zombie has no command line, so the "looks like Herald" check lets it through: only its state tells
        assertThat(sleep.info().commandLine()).isEmpty();
        assertThat(pidFile.running()).isEmpty();
    }

    @Test
    void theStateIsReadAfterTheLastParenthesisOfTheCommandName() throws IOException {
        // The kernel names a script's process after the script's file: its stat line reads "pid (x) Z (y) S ...".
        Path script = Files.writeString(dir.resolve("x) Z (y"), "#!/bin/sh\nread line\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        process = new ProcessBuilder(script.toString()).start();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(Files.readString(Path.of("/proc/" + process.pid() + "/stat")))
                        .contains("(x) Z (y)"));

        assertThat(PidFile.state(process.pid()))
                .hasValueSatisfying(state -> assertThat(state).isIn('R', 'S'));
        assertThat(PidFile.alive(process.toHandle())).isTrue();
    }

    @Test
    void aProcessThatIsGoneHasNoState() throws Exception {
        process = new ProcessBuilder("true").start();
        process.waitFor(10, TimeUnit.SECONDS);

        assertThat(PidFile.state(process.pid())).isEqualTo(Optional.empty());
        assertThat(PidFile.alive(process.toHandle())).isFalse();
    }
}
