package dev.herald.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** {@link Control#waitForExit}, which {@code herald stop} and {@code restart} wait with, on real processes. */
@EnabledOnOs(OS.LINUX)
class ControlTest {

    private UnreapedSleep unreaped;

    @AfterEach
    void stopProcesses() throws Exception {
        if (unreaped != null) {
            unreaped.close();
        }
    }

    @Test
    void aProcessThatExitsButIsNotReapedHasExited() throws Exception {
        unreaped = UnreapedSleep.start();
        ProcessHandle sleep = unreaped.handle();

        sleep.destroy(); // SIGTERM, as stop sends

        assertThat(Control.waitForExit(sleep, 10_000)).isTrue();
        assertThat(unreaped.procState()).isEqualTo("Z");
        assertThat(sleep.isAlive()).as("the JDK still calls a zombie alive").isTrue();
    }

    @Test
    void aLiveProcessHasNotExitedWhenTheWaitEnds() throws Exception {
        unreaped = UnreapedSleep.start();

        assertThat(Control.waitForExit(unreaped.handle(), 200)).isFalse();
        assertThat(unreaped.procState()).isIn("R", "S");
    }
}
