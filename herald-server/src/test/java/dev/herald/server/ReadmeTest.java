package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.CloseReason;
import dev.herald.protocol.backend.BackendError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Keeps the README true: every config key with its default, every close code, every Text-port error. */
class ReadmeTest {

    private static String readme() throws IOException {
        return Files.readString(Path.of("../README.md"));
    }

    @Test
    void documentsEveryConfigKeyWithItsDefault() throws IOException {
        String readme = readme();
        for (ConfigKey key : ConfigKey.ALL) {
            String shown = key.defaultValue().isEmpty() ? "(empty)" : "`" + key.defaultValue() + "`";
            assertThat(readme).as("README row for %s", key.name()).contains("| `" + key.name() + "` | " + shown + " |");
        }
    }

    @Test
    void documentsEveryCloseCode() throws IOException {
        String readme = readme();
        String protocol = Files.readString(Path.of("../docs/protocol.md"));
        for (CloseReason reason : CloseReason.values()) {
            assertThat(readme).as("README close code %s", reason).contains("| " + reason.code() + " |");
            assertThat(protocol).as("protocol.md close code %s", reason).contains("| " + reason.code() + " |");
        }
    }

    @Test
    void documentsEveryTextPortError() throws IOException {
        String readme = readme();
        for (BackendError error : BackendError.values()) {
            assertThat(readme).as("README error %s", error).contains("`error " + error.code());
        }
    }
}
