package dev.herald.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testkit.ChaosProxy;
import dev.herald.testkit.ResumingClient;
import dev.herald.testkit.TextPortClient;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing lost across {@code kill -9}: a real Herald process with a data directory, {@code herald.v1}
 * clients behind a proxy that cuts and silences their connections, and a backend pushing numbered
 * messages (ttl and id, retried with the same id until a reply comes), while the server is killed with
 * SIGKILL twice and started again on its data directory. At the end every client holds every message
 * of its uid, each once, in order: what was answered was on disk, what was delivered was on disk (no
 * offset is given twice), and a retry of a push whose reply the crash ate is recognised by its id.
 * Bounded: about 20 s, at most 90 s.
 */
class CrashIT {

    private static final int UIDS = 8;
    private static final int MESSAGES = 240;
    private static final Duration DEAD_AFTER = Duration.ofMillis(900);

    @TempDir
    Path home;

    private HeraldProcess herald;
    private Process process;
    private ChaosProxy proxy;
    private ExecutorService pool;

    @AfterEach
    void stop() {
        if (pool != null) {
            pool.shutdownNow();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (process != null) {
            process.destroyForcibly();
        }
    }

    private List<String> args() {
        return herald.args(
                "start",
                "--store.path=data",
                "--websocket.ping-interval=200ms",
                "--websocket.pong-timeout=400ms",
                "--history.size=1000",
                "--inbox.max-per-uid=1000");
    }

    /** Starts the server and waits until its Text port answers. */
    private void startServer() throws Exception {
        process = herald.startInBackground(args());
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress("127.0.0.1", herald.textPort()), 200);
                        return true;
                    } catch (java.io.IOException e) {
                        return false;
                    }
                });
    }

    /** {@code kill -9}: no shutdown hook, no flush, no close. */
    private void killServer() throws Exception {
        process.destroyForcibly(); // SIGKILL on Linux
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(137);
    }

    @Test
    void aServerKilledTwiceLosesNothingAnsweredAndRepeatsNothing() throws Exception {
        herald = new HeraldProcess(home);
        startServer();
        proxy = ChaosProxy.start(new InetSocketAddress("127.0.0.1", herald.webSocketPort()));
        URI uri = URI.create("ws://127.0.0.1:" + proxy.port() + "/");
        pool = Executors.newFixedThreadPool(UIDS + 2);
        Map<String, List<String>> received = new ConcurrentHashMap<>();
        Map<String, Integer> connections = new ConcurrentHashMap<>();
        List<Future<?>> clients = new ArrayList<>();
        for (int i = 0; i < UIDS; i++) {
            String uid = "crash-" + i;
            received.put(uid, Collections.synchronizedList(new ArrayList<>()));
            clients.add(pool.submit(() -> {
                ResumingClient.run(
                        uri, uid, MESSAGES, received.get(uid), connections, DEAD_AFTER, Duration.ofSeconds(70));
                return null;
            }));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> connections.size() == UIDS);
        String receipt;
        try (TextPortClient text = TextPortClient.connect(new InetSocketAddress("127.0.0.1", herald.textPort()))) {
            receipt = text.request("push {\"uid\":\"away\",\"data\":\"later\",\"ttl\":600,\"receipt\":true}");
        }
        assertThat(receipt).isEqualTo("{\"connections\":0,\"uids\":0,\"queued\":1,\"receipt\":\"r1\"}");

        AtomicInteger pushed = new AtomicInteger();
        AtomicInteger retries = new AtomicInteger();
        AtomicBoolean pushing = new AtomicBoolean(true);
        Future<?> backend = pool.submit(() -> {
            try {
                push(pushed, retries);
            } finally {
                pushing.set(false);
            }
            return null;
        });
        Random random = new Random(7);
        int kills = 0;
        while (pushing.get()) {
            Thread.sleep(60);
            if (kills < 2 && pushed.get() > (kills + 1) * MESSAGES / 3) {
                killServer();
                kills++;
                startServer();
            } else if (random.nextBoolean()) {
                proxy.cut(random);
            } else {
                proxy.silence(random);
            }
        }
        backend.get(60, TimeUnit.SECONDS);
        for (Future<?> client : clients) {
            client.get(80, TimeUnit.SECONDS);
        }

        assertThat(kills).isEqualTo(2);
        assertThat(retries.get()).as("pushes the kills broke, sent again").isGreaterThanOrEqualTo(2);
        try (TextPortClient text = TextPortClient.connect(new InetSocketAddress("127.0.0.1", herald.textPort()))) {
            assertThat(text.request("receipt {\"id\":\"r1\"}"))
                    .as("a receipt kept across both kills")
                    .contains("\"away\":{\"state\":\"queued\"");
            // A server-made receipt id after the restarts is a new one, not r1 again.
            assertThat(text.request("push {\"uid\":\"away\",\"data\":\"again\",\"ttl\":600,\"receipt\":true}"))
                    .endsWith("\"receipt\":\"r2\"}");
        }
        String log = Files.readString(herald.console()); // the last start's
        assertThat(log).containsPattern("restored [1-9][0-9]* streams, [1-9][0-9]* messages");
        for (int i = 0; i < UIDS; i++) {
            String uid = "crash-" + i;
            List<String> numbers = received.get(uid);
            assertThat(numbers)
                    .as("%s (over %d connections, %d pushes retried)", uid, connections.get(uid), retries.get())
                    .hasSize(MESSAGES);
            for (int n = 0; n < MESSAGES; n++) {
                assertThat(numbers.get(n)).as("%s message %d", uid, n).isEqualTo(String.valueOf(n + 1));
            }
        }
    }

    /**
     * Pushes every numbered message to every uid, each with a ttl and an id; a push whose connection
     * broke before its reply (the server was killed) is sent again, with the same id, to the restarted
     * server, until it is answered.
     */
    private void push(AtomicInteger pushed, AtomicInteger retries) throws InterruptedException {
        TextPortClient text = null;
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int n = 1; n <= MESSAGES; n++) {
            for (int i = 0; i < UIDS; i++) {
                String line =
                        "push {\"uid\":\"crash-" + i + "\",\"data\":\"" + n + "\",\"ttl\":600,\"id\":\"m" + n + "\"}";
                String reply = null;
                while (reply == null) {
                    assertThat(System.nanoTime()).as("pushes done in time").isLessThan(giveUp);
                    try {
                        if (text == null) {
                            text = TextPortClient.connect(new InetSocketAddress("127.0.0.1", herald.textPort()));
                        }
                        reply = text.request(line);
                    } catch (UncheckedIOException e) {
                        reply = null;
                    }
                    if (reply == null) {
                        if (text != null) {
                            text.close();
                            text = null;
                        }
                        retries.incrementAndGet();
                        Thread.sleep(50);
                    }
                }
                assertThat(reply).startsWith("{\"connections\":");
            }
            pushed.incrementAndGet();
            Thread.sleep(20);
        }
        if (text != null) {
            text.close();
        }
    }
}
