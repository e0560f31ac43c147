package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.herald.testkit.WebSocketRecorder;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's own PHP backend code ({@code examples/seed/push.php}), run unchanged by the {@code php}
 * binary against Herald's Text port; only its address is pointed at the test server. Skipped when
 * {@code php} is missing, except on CI ({@code CI=true}), where it fails instead.
 */
class SeedPhpBackendIT {

    private static final String SEED_ADDRESS = "tcp://127.0.0.1:5678";
    private static final String SEED_LINE = "{\"uid\":\"uid1\",\"percent\":\"88%\"}";

    private static Path php;

    private HeraldServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void findPhp() {
        php = onPath("php");
        if (php == null) {
            String message =
                    "no php binary on PATH: install php-cli (apt-get install -y php-cli) to run the seed's PHP backend";
            if ("true".equals(System.getenv("CI"))) {
                fail(message + " (CI=true, so this is a failure: .ci/run must install php-cli)");
            }
            Assumptions.abort(message);
        }
    }

    @BeforeEach
    void start() {
        server = TestServer.start();
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    @Test
    void theSeedsPhpPushReachesTheBoundPageAndPrintsOk() throws Exception {
        try (WebSocketRecorder page = WebSocketRecorder.bind(TestServer.ws(server), "uid1")) {
            await().until(() -> server.hub().isOnline("uid1"));
            assertThat(runSeedSnippet()).isEqualTo("ok\n");
            assertThat(page.awaitMessage()).isEqualTo(SEED_LINE);
            page.assertNoMoreMessages();
        }
    }

    @Test
    void theSeedsPhpPushPrintsFailWhenNobodyIsBound() throws Exception {
        assertThat(runSeedSnippet()).isEqualTo("fail\n");
        assertThat(server.stats().get("pushes")).isEqualTo(1L);
    }

    /** Runs the seed's snippet against the test server and returns what it printed. */
    private String runSeedSnippet() throws IOException, InterruptedException {
        String snippet = Files.readString(seedSnippet(), StandardCharsets.UTF_8);
        assertThat(snippet.indexOf(SEED_ADDRESS))
                .as("the seed's address, once")
                .isNotNegative()
                .isEqualTo(snippet.lastIndexOf(SEED_ADDRESS));
        Path script = dir.resolve("push.php");
        Files.writeString(
                script,
                snippet.replace(
                        SEED_ADDRESS, "tcp://127.0.0.1:" + server.textAddress().getPort()),
                StandardCharsets.UTF_8);
        Path output = dir.resolve("php.out");
        Process process = new ProcessBuilder(php.toString(), script.toString())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("php did not finish within 20 s; it printed: " + Files.readString(output));
        }
        String printed = Files.readString(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue())
                .as("php exit status; it printed: %s", printed)
                .isZero();
        return printed;
    }

    /** {@code examples/seed/push.php}, found from the module's directory up to the repository's. */
    private static Path seedSnippet() {
        for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
            Path candidate = at.resolve("examples/seed/push.php");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError(
                "examples/seed/push.php not found above " + Path.of("").toAbsolutePath());
    }

    private static Path onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String entry : path.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(entry, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
