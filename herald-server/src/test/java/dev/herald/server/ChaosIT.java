package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testkit.ChaosProxy;
import dev.herald.testkit.ResumingClient;
import dev.herald.testkit.TextPortClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Nothing lost, nothing twice, while the network misbehaves: {@code herald.v1} clients behind a proxy
 * that resets connections and silences others (no FIN reaches anyone: the server's writes succeed and
 * the client gets nothing) while backends push numbered messages. A client that hears nothing for a
 * while (pings included) gives its connection up and comes back with its positions, as herald.js does.
 * At the end every client holds exactly the messages of its uid, each once, in order. Bounded: the
 * pushes take about 6 s, everything at most 60 s.
 */
class ChaosIT {

    private static final int UIDS = 16;
    private static final int MESSAGES = 300;
    /** Silence after which a client gives its connection up: a few ping intervals. */
    private static final Duration DEAD_AFTER = Duration.ofMillis(900);

    private HeraldServer server;
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
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void clientsBehindABrokenNetworkGetEveryMessageOnceInOrder() throws Exception {
        server = TestServer.start(
                "websocket.ping-interval", "200ms",
                "websocket.pong-timeout", "400ms",
                "history.size", "1000",
                "inbox.max-per-uid", "1000"); // nothing pushed out while a client is away
        proxy = ChaosProxy.start(server.websocketAddress());
        URI uri = URI.create("ws://127.0.0.1:" + proxy.port() + "/");
        pool = Executors.newFixedThreadPool(UIDS + 2);
        AtomicBoolean pushing = new AtomicBoolean(true);
        Map<String, List<String>> received = new ConcurrentHashMap<>();
        Map<String, Integer> connections = new ConcurrentHashMap<>();

        List<Future<?>> clients = new ArrayList<>();
        for (int i = 0; i < UIDS; i++) {
            String uid = "chaos-" + i;
            received.put(uid, java.util.Collections.synchronizedList(new ArrayList<>()));
            clients.add(pool.submit(() -> {
                ResumingClient.run(
                        uri, uid, MESSAGES, received.get(uid), connections, DEAD_AFTER, Duration.ofSeconds(50));
                return null;
            }));
        }
        // Every client has said hello once before the first push: its stream keeps history from there.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (connections.size() < UIDS && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(connections).hasSize(UIDS);

        Future<?> backend = pool.submit(() -> {
            try (TextPortClient text = TextPortClient.connect(server.textAddress())) {
                for (int n = 1; n <= MESSAGES; n++) {
                    for (int i = 0; i < UIDS; i++) {
                        String reply =
                                text.request("push {\"uid\":\"chaos-" + i + "\",\"data\":\"" + n + "\",\"ttl\":600}");
                        assertThat(reply).startsWith("{\"connections\":");
                    }
                    Thread.sleep(20);
                }
            } finally {
                pushing.set(false);
            }
            return null;
        });
        Random random = new Random(42);
        while (pushing.get()) {
            Thread.sleep(60);
            if (random.nextBoolean()) {
                proxy.cut(random);
            } else {
                proxy.silence(random);
            }
        }
        backend.get(30, TimeUnit.SECONDS);
        for (Future<?> client : clients) {
            client.get(50, TimeUnit.SECONDS); // each gives up by itself 50 s after it started
        }

        assertThat(proxy.cuts() + proxy.silences()).as("connections broken").isGreaterThan(UIDS * 2);
        for (int i = 0; i < UIDS; i++) {
            String uid = "chaos-" + i;
            List<String> numbers = received.get(uid);
            assertThat(numbers)
                    .as("%s (over %d connections)", uid, connections.get(uid))
                    .hasSize(MESSAGES);
            for (int n = 0; n < MESSAGES; n++) {
                assertThat(numbers.get(n)).as("%s message %d", uid, n).isEqualTo(String.valueOf(n + 1));
            }
        }
    }
}
