package dev.herald.bench;

import static dev.herald.bench.ResultJson.steps;
import static dev.herald.bench.ResultJson.sub;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The floor server (bench/floor-server.c, compiled with cc; skipped without one) speaks the seed
 * protocol as the tool expects: binds, pushes answered ok/fail, pings and closes; and {@code calibrate}
 * runs the tool against it and prints its floor. Structure only, never speed.
 */
@Timeout(120)
class FloorServerIT {

    @TempDir
    static Path dir;

    private static Path binary;
    private static Process server;
    private static int wsPort;
    private static int textPort;

    @BeforeAll
    static void compileAndStart() throws Exception {
        binary = compile(dir);
        wsPort = freePort();
        textPort = freePort();
        server = start(binary, wsPort, textPort);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (server != null) {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
        }
    }

    static Path compile(Path dir) throws IOException, InterruptedException {
        Path c = dir.resolve("floor-server.c");
        try (InputStream in = FloorServerIT.class.getResourceAsStream(CalibrateCommand.SOURCE_RESOURCE)) {
            assertThat(in).as("floor-server.c is a resource of the build").isNotNull();
            Files.copy(in, c);
        }
        Path out = dir.resolve("floor-server");
        Process cc;
        try {
            cc = new ProcessBuilder("cc", "-O2", "-Wall", "-o", out.toString(), c.toString())
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            String message = "no C compiler (cc): install gcc and libc6-dev to run the floor server: " + e.getMessage();
            if ("true".equals(System.getenv("CI"))) {
                fail(message + " (CI=true, so this is a failure: .ci/run must install gcc)");
            }
            assumeTrue(false, message);
            throw e;
        }
        String output = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(cc.waitFor()).as(output).isZero();
        assertThat(output).as("compiler warnings").isEmpty();
        return out;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static Process start(Path binary, int ws, int text) throws Exception {
        Process p = new ProcessBuilder(binary.toString(), String.valueOf(ws), String.valueOf(text))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", text), 200);
                return p;
            } catch (IOException e) {
                assertThat(p.isAlive()).as("floor-server is running").isTrue();
                assertThat(System.nanoTime()).as("floor-server listens").isLessThan(deadline);
                Thread.sleep(50);
            }
        }
    }

    private static Map<String, Object> bench(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(
                "--server",
                "seed",
                "--label",
                "floor",
                "--server-pid",
                String.valueOf(server.pid()),
                "--ws",
                "ws://127.0.0.1:" + wsPort + "/",
                "--text",
                "127.0.0.1:" + textPort,
                "--uid-prefix",
                "floor-it-"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine()
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err))
                .execute(all.toArray(String[]::new));
        assertThat(code).as(err.toString()).isZero();
        return sub(ResultLine.parse(out.toString()), "results");
    }

    @Test
    void everyClientBindsAndEveryPushArrives() {
        Map<String, Object> idle = bench("idle", "-n", "100", "--settle", "0s");
        assertThat(idle).containsEntry("opened", 100).containsEntry("failed", 0);
        assertThat(sub(idle, "verify")).containsEntry("ok", 100).containsEntry("lost", 0);
        assertThat((int) sub(idle, "server").get("rssAfter")).isPositive();

        Map<String, Object> targeted =
                bench("targeted", "-n", "100", "--rates", "500", "--step", "1s", "--warmup", "0s");
        Map<String, Object> step = steps(targeted).get(0);
        assertThat(step).containsEntry("lost", 0);
        assertThat(sub(step, "replies")).containsEntry("ok", step.get("sent")).containsEntry("fail", 0);
        assertThat((double) step.get("clientCpuUsPerPush")).isPositive();

        Map<String, Object> fanout = bench("fanout", "-n", "100", "--rates", "5", "--step", "1s", "--warmup", "0s");
        assertThat(steps(fanout).get(0)).containsEntry("lost", 0).containsEntry("expected", 500);
    }

    @Test
    void pushesToUnknownUidsOrWithoutAUidFail() throws IOException {
        try (Socket text = new Socket("127.0.0.1", textPort)) {
            OutputStream out = text.getOutputStream();
            out.write(
                    "{\"uid\":\"nobody\"}\nnot json\n{\"other\":1}\n{\"uid\":1}\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] replies = new byte[20];
            int n = 0;
            while (n < 20) {
                n += text.getInputStream().read(replies, n, 20 - n);
            }
            assertThat(new String(replies, StandardCharsets.US_ASCII)).isEqualTo("fail\nfail\nfail\nfail\n");
        }
    }

    @Test
    void aPingIsAnsweredWithAPongAndACloseWithAClose() throws IOException {
        try (Socket ws = new Socket("127.0.0.1", wsPort)) {
            ws.setSoTimeout(5000);
            OutputStream out = ws.getOutputStream();
            InputStream in = ws.getInputStream();
            out.write(ClientFrames.handshake("127.0.0.1", wsPort, "/"));
            String answer = readHeaders(in);
            assertThat(answer).startsWith("HTTP/1.1 101").contains("Sec-WebSocket-Accept: " + ClientFrames.ACCEPT);
            out.write(masked(0x9, "hi".getBytes(StandardCharsets.US_ASCII)));
            assertThat(in.readNBytes(4)).containsExactly(0x8A, 2, 'h', 'i');
            out.write(masked(0x8, new byte[] {0x03, (byte) 0xE8}));
            assertThat(in.readNBytes(4)).containsExactly(0x88, 2, 0x03, 0xE8);
            assertThat(in.read()).as("closed after the close frame").isEqualTo(-1);
        }
    }

    @Test
    void calibrateRunsTheToolAgainstAFreshFloorServerAndPrintsItsFloor() throws IOException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine()
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err))
                .execute(
                        "calibrate",
                        "-n",
                        "50",
                        "--ws-port",
                        String.valueOf(freePort()),
                        "--text-port",
                        String.valueOf(freePort()),
                        "--targeted-rates",
                        "200",
                        "--fanout-rates",
                        "5",
                        "--targeted-step",
                        "1s",
                        "--fanout-step",
                        "1s",
                        "--warmup",
                        "0s");
        assertThat(code).as(err.toString()).isZero();
        List<Map<String, Object>> lines =
                out.toString().lines().map(ResultLine::parse).toList();
        assertThat(lines).extracting(l -> l.get("scenario")).containsExactly("targeted", "fanout");
        assertThat(lines).allSatisfy(l -> assertThat(l).containsEntry("label", "floor"));
        assertThat(err.toString())
                .contains("## The tool's floor")
                .contains("### Targeted, 200 pushes/s")
                .contains("floor (1 run), calibration");
    }

    private static String readHeaders(InputStream in) throws IOException {
        StringBuilder s = new StringBuilder();
        while (!s.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).isNotNegative();
            s.append((char) b);
        }
        return s.toString();
    }

    private static byte[] masked(int opcode, byte[] payload) {
        byte[] frame = new byte[6 + payload.length];
        frame[0] = (byte) (0x80 | opcode);
        frame[1] = (byte) (0x80 | payload.length);
        byte[] mask = {1, 2, 3, 4};
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        return frame;
    }
}
