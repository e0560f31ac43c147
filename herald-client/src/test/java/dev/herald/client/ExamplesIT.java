package dev.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.herald.server.HeraldServer;
import dev.herald.testkit.WebSocketRecorder;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the examples in {@code examples/} (PHP, Python, curl) with their interpreters against a real
 * server, pointed at it by their environment variables, while a WebSocket client bound as {@code
 * alice} receives their pushes. Skipped when an interpreter is missing, except on CI ({@code
 * CI=true}), where that is a failure: {@code .ci/run} installs them.
 */
class ExamplesIT {

    private static final String API_KEY = "example-api-key-0123456789";

    /**
     * One example: the programs it needs on PATH, its command line (relative to the repository), the
     * name it signs its pushes with, and whether it also uses the Text port.
     */
    record Example(List<String> programs, List<String> command, String signature, boolean textPort) {}

    static Stream<Arguments> examples() {
        Example php = new Example(List.of("php"), List.of("php", "examples/php/herald.php"), "PHP", true);
        Example python =
                new Example(List.of("python3"), List.of("python3", "examples/python/herald.py"), "Python", true);
        Example curl = new Example(List.of("bash", "curl"), List.of("bash", "examples/curl.sh"), "curl", false);
        List<Arguments> cases = new ArrayList<>();
        for (Example example : List.of(php, python, curl)) {
            String name = example.command().get(1);
            cases.add(Arguments.of(Named.of(name + ", server without API keys", example), false));
            cases.add(Arguments.of(Named.of(name + ", server with API keys, HERALD_API_KEY set", example), true));
        }
        return cases.stream();
    }

    @TempDir
    Path dir;

    @ParameterizedTest
    @MethodSource("examples")
    void theExampleRunsAgainstARealServer(Example example, boolean withApiKey) throws Exception {
        example.programs().forEach(ExamplesIT::requireOnPath);
        HeraldServer server = withApiKey ? TestServer.start("http.api-keys", API_KEY) : TestServer.start();
        try (WebSocketRecorder alice = WebSocketRecorder.bind(TestServer.ws(server), "alice")) {
            await().until(() -> server.hub().isOnline("alice"));

            String printed = run(example, server, withApiKey ? API_KEY : null);

            String hello = "{\"text\":\"hello from " + example.signature() + "\"}";
            assertThat(alice.awaitMessage()).isEqualTo(hello);
            assertThat(alice.awaitMessage()).isEqualTo("room news from " + example.signature());
            alice.assertNoMoreMessages();
            assertThat(printed)
                    .contains("push {\"uid\":\"alice\",\"data\":" + hello + "}")
                    .contains("< " + (example.textPort() ? "" : "200 ") + "{\"connections\":1,\"uids\":1}")
                    .contains("{\"online\":{\"alice\":true,\"bob\":false}}")
                    .contains("< 200 {\"group\":\"room:42\",\"added\":2}")
                    .contains("< 200 {\"group\":\"room:42\",\"members\":2,\"online\":1}")
                    .contains("< 200 {\"connections\":0,\"uids\":0,\"queued\":1,\"receipt\":\"welcome-carol\"}")
                    .contains("\"carol\":{\"state\":\"queued\"")
                    .contains("< 400 {\"error\":{\"code\":\"missing_field\"");
            assertThat(server.hub().isMember("room:42", "bob")).isTrue();
        } finally {
            server.stop();
        }
    }

    /** Runs the example from the repository's directory and returns what it printed (stdout and stderr). */
    private String run(Example example, HeraldServer server, String apiKey) throws IOException, InterruptedException {
        Path output = dir.resolve("output.txt");
        ProcessBuilder builder = new ProcessBuilder(example.command())
                .directory(repository().toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        Map<String, String> env = builder.environment();
        env.put("HERALD_TEXT_ADDRESS", "127.0.0.1:" + server.textAddress().getPort());
        env.put("HERALD_HTTP_ADDRESS", "127.0.0.1:" + server.httpAddress().getPort());
        env.remove("HERALD_API_KEY");
        if (apiKey != null) {
            env.put("HERALD_API_KEY", apiKey);
        }
        Process process = builder.start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(example.command() + " did not finish within 30 s; it printed: " + Files.readString(output));
        }
        String printed = Files.readString(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue())
                .as("exit status of %s; it printed:%n%s", example.command(), printed)
                .isZero();
        return printed;
    }

    /** The repository's root: the first directory above the module's that holds {@code examples/}. */
    private static Path repository() {
        for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
            if (Files.isRegularFile(at.resolve("examples/curl.sh"))) {
                return at;
            }
        }
        throw new AssertionError(
                "examples/curl.sh not found above " + Path.of("").toAbsolutePath());
    }

    private static void requireOnPath(String program) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String entry : path.split(File.pathSeparator)) {
                Path candidate = entry.isEmpty() ? null : Path.of(entry, program);
                if (candidate != null && Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return;
                }
            }
        }
        String message = "no " + program + " on PATH: install it (.ci/run does: apt-get install -y "
                + (program.equals("php") ? "php-cli" : program) + ") to run this example";
        if ("true".equals(System.getenv("CI"))) {
            fail(message + " (CI=true, so this is a failure)");
        }
        Assumptions.abort(message);
    }
}
