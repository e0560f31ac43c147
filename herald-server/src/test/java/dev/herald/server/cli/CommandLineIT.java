package dev.herald.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testkit.TextPortClient;
import dev.herald.testkit.WebSocketRecorder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The herald command as a user runs it: a real process, real ports, a real pid file. */
class CommandLineIT {

    @TempDir
    Path home;

    private HeraldProcess herald;

    @AfterEach
    void stopLeftovers() {
        if (herald != null) {
            herald.run("stop");
        }
    }

    @Test
    void aTokenFromHeraldTokenBindsASeedPageToItsUidAndGroups() throws Exception {
        herald = new HeraldProcess(home);
        String secret = "--auth.hmac-secret=a-development-secret-of-32-bytes!!";
        HeraldProcess.Result minted = herald.run("token", "--uid", "42", "--groups", "room-1", "--ttl", "10m", secret);
        assertThat(minted.exitCode()).as(minted.err()).isZero();
        String token = minted.out().strip();
        assertThat(token).startsWith("eyJ").matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
        HeraldProcess.Result noSecret = herald.run("token", "--uid", "42");
        assertThat(noSecret.exitCode()).isEqualTo(2);
        assertThat(noSecret.err()).contains("auth.hmac-secret is not set");

        HeraldProcess.Result started = herald.run("start", "-d", secret);
        assertThat(started.exitCode()).as(started.err()).isZero();
        URI ws = URI.create("ws://127.0.0.1:" + herald.webSocketPort() + "/");
        WebSocketRecorder page = WebSocketRecorder.bind(ws, token);
        WebSocketRecorder bare = WebSocketRecorder.bind(ws, "42");
        assertThat(bare.awaitClose().code()).isEqualTo(4504);
        try (TextPortClient backend = TextPortClient.connect(new InetSocketAddress("127.0.0.1", herald.textPort()))) {
            await().until(() -> backend.request("push {\"group\":\"room-1\",\"data\":\"hi\"}")
                    .equals("{\"connections\":1,\"uids\":1}"));
        }
        assertThat(page.awaitMessage()).isEqualTo("hi");
    }

    @Test
    void daemonStartStatusPushStop() throws Exception {
        herald = new HeraldProcess(home);

        HeraldProcess.Result started = herald.run("start", "-d");
        assertThat(started.exitCode()).as(started.err()).isZero();
        assertThat(started.out())
                .contains("started as a daemon")
                .contains("listening")
                .contains("127.0.0.1:" + herald.webSocketPort());
        assertThat(herald.pidFile()).exists();
        long pid = Long.parseLong(Files.readString(herald.pidFile()).trim());

        HeraldProcess.Result again = herald.run("start", "-d");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("already running (pid " + pid);

        WebSocketRecorder client =
                WebSocketRecorder.bind(URI.create("ws://127.0.0.1:" + herald.webSocketPort() + "/"), "uid1");
        try (TextPortClient backend = TextPortClient.connect(new InetSocketAddress("127.0.0.1", herald.textPort()))) {
            await().until(() -> backend.request("{\"uid\":\"uid1\",\"n\":1}").equals("ok"));
        }
        assertThat(client.awaitMessage()).isEqualTo("{\"uid\":\"uid1\",\"n\":1}");

        HeraldProcess.Result status = herald.run("status");
        assertThat(status.exitCode()).isZero();
        assertThat(status.out())
                .contains("is running (pid " + pid + ")")
                .contains("websocket    127.0.0.1:" + herald.webSocketPort())
                .contains("text         127.0.0.1:" + herald.textPort())
                .contains("1 open, 1 uids bound");
        JsonNode stats =
                new ObjectMapper().readTree(herald.run("status", "--json").out());
        assertThat(stats.path("pid").asLong()).isEqualTo(pid);
        assertThat(stats.path("connections").asInt()).isEqualTo(1);
        assertThat(stats.path("uids").asInt()).isEqualTo(1);
        assertThat(stats.path("pushes").asLong()).isPositive();
        assertThat(stats.path("uptimeSeconds").isNumber()).isTrue();

        HeraldProcess.Result stopped = herald.run("stop");
        assertThat(stopped.exitCode()).as(stopped.err()).isZero();
        assertThat(stopped.out()).contains("stopped (pid " + pid + ")");
        assertThat(client.awaitClose()).isEqualTo(new WebSocketRecorder.Close(1001, "server shutting down"));
        assertThat(herald.pidFile()).doesNotExist();
        assertThat(ProcessHandle.of(pid).map(PidFile::alive).orElse(false))
                .as("exited (a zombie that its new parent has not reaped yet counts as exited)")
                .isFalse();
        assertThat(Files.readString(herald.logFile())).contains("listening").contains("stopped after");

        HeraldProcess.Result after = herald.run("status");
        assertThat(after.exitCode()).isEqualTo(3);
        assertThat(after.out()).contains("not running");
        assertThat(herald.run("stop").exitCode()).as("stop when stopped").isZero();
    }

    @Test
    void restartReplacesTheRunningServer() {
        herald = new HeraldProcess(home);
        assertThat(herald.run("start", "-d").exitCode()).isZero();
        long first = pid();
        HeraldProcess.Result restarted = herald.run("restart");
        assertThat(restarted.exitCode()).as(restarted.err()).isZero();
        assertThat(restarted.out()).contains("stopped (pid " + first + ")").contains("started as a daemon");
        assertThat(pid()).isNotEqualTo(first);
        assertThat(herald.run("status").exitCode()).isZero();
    }

    @Test
    void daemonStartFailsWithTheReasonWhenAPortIsTaken() throws IOException {
        herald = new HeraldProcess(home);
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", herald.textPort()));
            HeraldProcess.Result result = herald.run("start", "-d");
            assertThat(result.exitCode()).isEqualTo(1);
            assertThat(result.err())
                    .contains("cannot listen for text on 127.0.0.1:" + herald.textPort())
                    .contains("Address already in use");
        }
        assertThat(herald.pidFile()).doesNotExist();
    }

    @Test
    void foregroundStartFailsWhenAPortIsTaken() throws IOException {
        herald = new HeraldProcess(home);
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", herald.webSocketPort()));
            HeraldProcess.Result result = herald.run("start");
            assertThat(result.exitCode()).isEqualTo(1);
            assertThat(result.out() + result.err())
                    .contains("cannot listen for websocket on 127.0.0.1:" + herald.webSocketPort());
        }
    }

    @Test
    void invalidConfigurationExitsWithTwoAndNamesTheKey() throws IOException {
        herald = new HeraldProcess(home);
        HeraldProcess.Result flag = herald.run("start", "-d", "--websocket.ping-interval=soon");
        assertThat(flag.exitCode()).isEqualTo(2);
        assertThat(flag.err()).contains("websocket.ping-interval").contains("'soon' is not a duration");

        Path file = Files.writeString(home.resolve("herald.yml"), "text:\n  max-line-bytes: huge\n");
        HeraldProcess.Result yaml = herald.run("start", "-d", "--config=" + file);
        assertThat(yaml.exitCode()).isEqualTo(2);
        assertThat(yaml.err()).contains("text.max-line-bytes");

        HeraldProcess.Result unknown = herald.run("start", "--websocket.prot=1");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("--websocket.prot");
        assertThat(herald.pidFile()).doesNotExist();
    }

    @Test
    void foregroundServerDrainsOnSigterm() throws Exception {
        herald = new HeraldProcess(home);
        Process process = herald.startInBackground(herald.args("start"));
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(herald.pidFile()));
            WebSocketRecorder client =
                    WebSocketRecorder.bind(URI.create("ws://127.0.0.1:" + herald.webSocketPort() + "/"), "u");
            try (TextPortClient backend =
                    TextPortClient.connect(new InetSocketAddress("127.0.0.1", herald.textPort()))) {
                await().until(() -> backend.request("{\"uid\":\"u\"}").equals("ok"));
                assertThat(client.awaitMessage()).isEqualTo("{\"uid\":\"u\"}");
                process.destroy(); // SIGTERM, as Ctrl-C or stop would
                assertThat(client.awaitClose().code()).isEqualTo(1001);
                assertThat(backend.readLine()).as("backend connection closed").isNull();
            }
            assertThat(process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS))
                    .isTrue();
            assertThat(herald.pidFile()).doesNotExist();
            String console = Files.readString(herald.console());
            assertThat(console).contains("listening").contains("draining").contains("stopped after");
        } finally {
            process.destroyForcibly();
        }
    }

    private long pid() {
        try {
            return Long.parseLong(Files.readString(herald.pidFile()).trim());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
