package dev.herald.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code herald status} against a daemon whose API needs a key: it reads /stats with the key and /readyz. */
class StatusCommandIT {

    private static final String KEY = "--http.api-keys=status-key-0123456789";

    @TempDir
    Path home;

    private HeraldProcess herald;

    @AfterEach
    void stop() {
        if (herald != null) {
            herald.run("stop");
        }
    }

    @Test
    void statusUsesTheApiKeyAndShowsReadiness() throws Exception {
        herald = new HeraldProcess(home);
        HeraldProcess.Result started = herald.run("start", "-d", KEY);
        assertThat(started.exitCode()).as(started.err()).isZero();

        HeraldProcess.Result status = herald.run("status", KEY);
        assertThat(status.exitCode()).as(status.out()).isZero();
        assertThat(status.out())
                .contains("is running (pid ")
                .contains("health       alive, ready (/readyz 200)")
                .contains("0 open, 0 uids bound");

        HeraldProcess.Result json = herald.run("status", "--json", KEY);
        assertThat(json.exitCode()).isZero();
        assertThat(new ObjectMapper().readTree(json.out()).path("state").asText())
                .isEqualTo("running");

        HeraldProcess.Result wrongKey = herald.run("status", "--http.api-keys=some-other-key-0123456789");
        assertThat(wrongKey.exitCode()).isEqualTo(1);
        assertThat(wrongKey.out()).contains("does not answer: HTTP 401");
    }

    @Test
    void statusAndReloadPickAKeyWithTheAdminScope() {
        String keys = "--http.api-keys=push-key-0123456789:push,admin-key-0123456789:admin";
        herald = new HeraldProcess(home);
        HeraldProcess.Result started = herald.run("start", "-d", keys);
        assertThat(started.exitCode()).as(started.err()).isZero();

        HeraldProcess.Result status = herald.run("status", keys);
        assertThat(status.exitCode()).as(status.out()).isZero();
        assertThat(status.out()).contains("health       alive, ready (/readyz 200)");
        HeraldProcess.Result reload = herald.run("reload", keys);
        assertThat(reload.exitCode()).as(reload.err()).isZero();

        HeraldProcess.Result pushOnly = herald.run("status", "--http.api-keys=push-key-0123456789:push");
        assertThat(pushOnly.exitCode()).isEqualTo(1);
        assertThat(pushOnly.out()).contains("no key in http.api-keys has the admin scope");
    }
}
