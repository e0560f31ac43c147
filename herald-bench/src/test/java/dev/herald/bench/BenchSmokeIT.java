package dev.herald.bench;

import static dev.herald.bench.ResultJson.steps;
import static dev.herald.bench.ResultJson.sub;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.ConfigSource;
import dev.herald.server.HeraldServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every scenario, tiny and short, against a real Herald started in-process, and checks the
 * structure of what it prints: one JSON line that parses, counts that match, no loss. Never speed.
 */
@Timeout(60)
class BenchSmokeIT {

    private HeraldServer server;

    @BeforeEach
    void start(TestInfo test) {
        Map<String, String> flags = new HashMap<>(Map.of(
                "websocket.host", "127.0.0.1",
                "websocket.port", "0",
                "text.port", "0",
                "http.port", "0",
                "server.shutdown-timeout", "3s"));
        if (test.getDisplayName().contains("admission control")) {
            flags.put("websocket.max-handshakes-per-second", "100");
        }
        server = HeraldServer.start(new ConfigSource(Path.of("target"), null, Map.of(), flags), unused -> {});
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    static Stream<Arguments> scenarios() {
        return Stream.of(
                Arguments.of(
                        Named.of("idle, verified by push and count", List.of("idle", "-n", "50", "--settle", "0s")),
                        (Consumer<Map<String, Object>>) r -> {
                            assertThat(r).containsEntry("opened", 50).containsEntry("failed", 0);
                            assertThat(r).containsEntry("boundReported", 50);
                            assertThat(sub(r, "verify"))
                                    .containsEntry("ok", 50)
                                    .containsEntry("received", 50)
                                    .containsEntry("lost", 0);
                            assertThat((int) sub(r, "server").get("rssAfter")).isPositive();
                        }),
                Arguments.of(
                        Named.of(
                                "fanout with Herald's broadcast",
                                List.of("fanout", "-n", "50", "--rates", "10,20", "--step", "1s", "--warmup", "0s")),
                        (Consumer<Map<String, Object>>) r -> {
                            assertThat(r).containsEntry("subscribers", 50).containsEntry("broadcast", "herald");
                            assertThat(steps(r)).hasSize(2).allSatisfy(BenchSmokeIT::nothingLost);
                            assertThat(steps(r))
                                    .allSatisfy(
                                            s -> assertThat(sub(s, "replies").get("reportedConnections"))
                                                    .isEqualTo(s.get("delivered")));
                        }),
                Arguments.of(
                        Named.of(
                                "fanout by a push per uid, as for a seed server",
                                List.of(
                                        "fanout",
                                        "-n",
                                        "50",
                                        "--server",
                                        "seed",
                                        "--rates",
                                        "5",
                                        "--step",
                                        "1s",
                                        "--warmup",
                                        "0s",
                                        "--backends",
                                        "2")),
                        (Consumer<Map<String, Object>>) r -> {
                            assertThat(r).containsEntry("broadcast", "per-uid");
                            assertThat(steps(r)).hasSize(1).allSatisfy(BenchSmokeIT::nothingLost);
                            assertThat(sub(steps(r).get(0), "replies"))
                                    .containsEntry("ok", (int) steps(r).get(0).get("delivered"));
                        }),
                Arguments.of(
                        Named.of(
                                "targeted through two pipelining backends",
                                List.of(
                                        "targeted",
                                        "-n",
                                        "50",
                                        "-k",
                                        "2",
                                        "--rates",
                                        "200,400",
                                        "--step",
                                        "1s",
                                        "--warmup",
                                        "0s",
                                        "--tick",
                                        "500us",
                                        // Never speed: a busy machine must not stop the ladder.
                                        "--max-p99",
                                        "1h",
                                        "--min-achieved",
                                        "0")),
                        (Consumer<Map<String, Object>>) r -> {
                            assertThat(r).containsEntry("bound", 50).containsEntry("stopReason", "ladder done");
                            assertThat(steps(r)).hasSize(2).allSatisfy(BenchSmokeIT::nothingLost);
                            assertThat(steps(r))
                                    .allSatisfy(s -> assertThat(s)
                                            .containsKeys(
                                                    "clientCpuUsPerPush",
                                                    "otherCpuPercent",
                                                    "toolGcCount",
                                                    "toolJitMs"));
                            assertThat(sub(r, "best")).containsEntry("targetRate", 400.0);
                            assertThat(sub(steps(r).get(1), "replies"))
                                    .containsEntry("ok", (int) steps(r).get(1).get("sent"));
                        }),
                Arguments.of(
                        Named.of(
                                "churn while pushes flow",
                                List.of(
                                        "churn",
                                        "-n",
                                        "20",
                                        "--churn-rate",
                                        "20",
                                        "--lifetime",
                                        "200ms",
                                        "--push-rate",
                                        "100",
                                        "--duration",
                                        "1s")),
                        (Consumer<Map<String, Object>>) r -> {
                            assertThat(r).containsEntry("stable", 20).containsEntry("stableClosedByServer", 0);
                            Map<String, Object> churn = sub(r, "churn");
                            // 20 due in the second; a stalled pacer skips what falls behind by more
                            // than a burst (one connection here), so fewer on a busy machine.
                            int attempted = (int) churn.get("attempted");
                            assertThat(attempted).isBetween(1, 20);
                            assertThat(churn).containsEntry("opened", attempted).containsEntry("failed", 0);
                            assertThat(churn).containsEntry("closed", attempted);
                            nothingLost(sub(r, "pushes"));
                        }),
                Arguments.of(
                        Named.of(
                                "reconnect storm against admission control",
                                List.of(
                                        "storm",
                                        "-n",
                                        "20",
                                        "--storm",
                                        "300",
                                        "--push-rate",
                                        "100",
                                        "--calm",
                                        "1s",
                                        "--duration",
                                        "6s",
                                        "--drain",
                                        "2s")),
                        (Consumer<Map<String, Object>>) r -> {
                            assertThat(r).containsEntry("stable", 20).containsEntry("stormConnectedBefore", 300);
                            assertThat((int) r.get("stormConnectAttempts")).isGreaterThan(300);
                            Map<String, Object> storm = sub(r, "storm");
                            assertThat(storm).containsEntry("clients", 300).containsEntry("reconnected", 300);
                            assertThat((int) storm.get("retryAfterHonoured"))
                                    .as("300 at once against 100/s: some are told to come back")
                                    .isPositive();
                            assertThat(sub(storm, "failuresByReason")).containsKey("http-503");
                            nothingLost(sub(r, "calm"));
                            nothingLost(sub(r, "pushesDuringStorm"));
                            assertThat(r)
                                    .containsEntry("stableClosedByServer", 0)
                                    .containsKey("p99Ratio");
                        }),
                Arguments.of(
                        Named.of(
                                "resume storm of herald.v1 clients",
                                List.of(
                                        "resume",
                                        "-n",
                                        "200",
                                        "--missed",
                                        "5",
                                        "--push-rate",
                                        "5000",
                                        "--timeout",
                                        "20s",
                                        "--tail",
                                        "200ms")),
                        (Consumer<Map<String, Object>>) r -> {
                            assertThat(r).containsEntry("clients", 200).containsEntry("positioned", 200);
                            assertThat(sub(r, "firstAnswers")).isEqualTo(Map.of("new", 200));
                            assertThat(sub(r, "pushes"))
                                    .containsEntry("sent", 1000)
                                    .containsEntry("fail", 1000)
                                    .containsEntry("errors", 0)
                                    .containsEntry("allReplied", true);
                            Map<String, Object> storm = sub(r, "storm");
                            assertThat(storm)
                                    .containsEntry("reconnected", 200)
                                    .containsEntry("timedOut", false)
                                    .containsEntry("expected", 1000)
                                    .containsEntry("received", 1000)
                                    .containsEntry("lost", 0)
                                    .containsEntry("duplicates", 0)
                                    .containsEntry("unexpected", 0)
                                    .containsEntry("otherEpoch", 0);
                            assertThat(sub(storm, "answers")).isEqualTo(Map.of("recovered", 200));
                            assertThat((double) storm.get("seconds")).isPositive();
                        }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void scenarioPrintsOneJsonLineWithItsParametersAndResults(List<String> args, Consumer<Map<String, Object>> check) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of(
                "--ws", "ws://127.0.0.1:" + server.websocketAddress().getPort() + "/",
                "--text", "127.0.0.1:" + server.textAddress().getPort(),
                "--server-metrics", "http://127.0.0.1:" + server.httpAddress().getPort() + "/metrics",
                "--uid-prefix", "smoke-"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine()
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err))
                .execute(all.toArray(String[]::new));

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString().lines()).hasSize(1);
        Map<String, Object> line = ResultLine.parse(out.toString());
        assertThat(line).containsEntry("scenario", args.get(0)).containsKeys("time", "server", "tool", "params");
        assertThat(sub(line, "params")).containsEntry("uid-prefix", "smoke-").containsKey("connections");
        assertThat(err.toString()).contains("== " + args.get(0));
        check.accept(sub(line, "results"));
    }

    private static void nothingLost(Map<String, Object> step) {
        assertThat(step.get("lost")).as("lost in %s", step).isEqualTo(0);
        assertThat((int) step.get("delivered")).isPositive().isEqualTo(step.get("expected"));
        assertThat(sub(step, "latencyMs").get("count")).isEqualTo(step.get("delivered"));
    }
}
