package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testkit.TextPortClient;
import dev.herald.testkit.WebSocketRecorder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Group pushes under concurrency: several backends, on both adapters, push numbered messages to groups
 * while other clients connect, bind and disconnect in loops and a ghost uid joins and leaves the
 * groups. Every client that stayed connected throughout must receive each message pushed to its
 * groups exactly once, in each backend's order; no client may receive a message for a group its uid
 * is not in. Pushing lasts {@link #PUSHING}, and longer only until every backend, churner and the ghost
 * has done its minimum share, however busy the machine: the whole test takes well under 20 s.
 */
class GroupPushConcurrencyIT {

    private static final Duration PUSHING = Duration.ofSeconds(6);
    /** Bound on a worker's run: {@link #PUSHING}, plus what a slow machine needs for the minimum shares. */
    private static final Duration WORKER_TIMEOUT = PUSHING.plusSeconds(30);

    private static final int MIN_PUSHES = 100;
    private static final int MIN_CYCLES = 6;
    private static final int MIN_GHOST_JOINS = 12;
    private static final int TEXT_BATCH = 16;

    /** What backends push to: one group or two, the message going once to a member of either. */
    private static final List<Set<String>> TARGETS = List.of(
            Set.of("g0"), Set.of("g1"), Set.of("g2"), Set.of("g3"), Set.of("g0", "g1"), Set.of("g1", "g2", "g3"));

    /** Uids and their groups; fixed for the test (the ghost is never connected). */
    private static final Map<String, Set<String>> GROUPS = Map.of(
            "s0", Set.of("g0"),
            "s1", Set.of("g1"),
            "s2", Set.of("g0", "g1"),
            "s3", Set.of("g2", "g3"),
            "s4", Set.of(),
            "s5", Set.of("g0", "g1", "g2", "g3"),
            "c0", Set.of("g0"),
            "c1", Set.of("g1", "g2"),
            "c2", Set.of(),
            "c3", Set.of("g3"));

    private static final List<String> STABLE = List.of("s0", "s1", "s2", "s3", "s4", "s5", "s5");
    private static final List<String> CHURNING = List.of("c0", "c1", "c2", "c3");

    private HeraldServer server;
    private final List<AutoCloseable> closeables = Collections.synchronizedList(new ArrayList<>());
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() throws Exception {
        threads.shutdownNow();
        assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
        server.stop();
    }

    /** One pushed message: which backend, its sequence number, and the groups it went to. */
    record Pushed(int backend, int seq, Set<String> groups) {
        String text() {
            return "b" + backend + ":" + seq + ":"
                    + String.join("+", groups.stream().sorted().toList());
        }

        static Pushed parse(String text) {
            String[] parts = text.split(":");
            return new Pushed(
                    Integer.parseInt(parts[0].substring(1)), Integer.parseInt(parts[1]), Set.of(parts[2].split("\\+")));
        }

        boolean reaches(String uid) {
            return groups.stream().anyMatch(GROUPS.get(uid)::contains);
        }
    }

    @Test
    void everyStableMemberGetsEachGroupMessageOnceInOrderWhileOthersChurn() throws Exception {
        server = TestServer.start();
        try (TextPortClient setup = TextPortClient.connect(server.textAddress())) {
            GROUPS.forEach((uid, groups) -> groups.forEach(
                    group -> assertThat(setup.request("join {\"group\":\"" + group + "\",\"uid\":\"" + uid + "\"}"))
                            .isEqualTo("{\"group\":\"" + group + "\",\"added\":1}")));
        }
        Map<WebSocketRecorder, String> stable = new LinkedHashMap<>();
        for (String uid : STABLE) {
            int before = server.hub().sessionsOf(uid).size();
            WebSocketRecorder client = WebSocketRecorder.bind(TestServer.ws(server), uid);
            closeables.add(client);
            stable.put(client, uid);
            await().until(() -> server.hub().sessionsOf(uid).size() == before + 1);
        }

        long deadline = System.nanoTime() + PUSHING.toNanos();
        List<Future<List<Pushed>>> backends = new ArrayList<>();
        for (int backend = 0; backend < 4; backend++) {
            int id = backend;
            backends.add(threads.submit(() -> id % 2 == 0 ? textBackend(id, deadline) : httpBackend(id, deadline)));
        }
        AtomicInteger cycles = new AtomicInteger();
        List<Future<List<String>>> churners = new ArrayList<>();
        for (String uid : CHURNING) {
            churners.add(threads.submit(() -> churn(uid, deadline, cycles)));
        }
        Future<Integer> ghost = threads.submit(() -> ghost(deadline));

        List<List<Pushed>> pushed = new ArrayList<>();
        for (Future<List<Pushed>> backend : backends) {
            pushed.add(backend.get(WORKER_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        }
        Map<String, List<String>> churnedReceived = new LinkedHashMap<>();
        for (int i = 0; i < churners.size(); i++) {
            churnedReceived.put(CHURNING.get(i), churners.get(i).get(WORKER_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        }
        assertThat(ghost.get(WORKER_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                .as("ghost joins")
                .isGreaterThanOrEqualTo(MIN_GHOST_JOINS);
        assertThat(cycles.get()).as("churn cycles").isGreaterThanOrEqualTo(CHURNING.size() * MIN_CYCLES);
        for (List<Pushed> messages : pushed) {
            assertThat(messages.size()).as("pushes by one backend").isGreaterThanOrEqualTo(MIN_PUSHES);
        }

        String fence = "fence";
        try (TextPortClient backend = TextPortClient.connect(server.textAddress())) {
            assertThat(backend.request("broadcast {\"data\":\"" + fence + "\"}"))
                    .startsWith("{\"connections\":");
        }
        stable.forEach((client, uid) -> {
            List<String> received = new ArrayList<>();
            for (String message = client.awaitMessage(); !message.equals(fence); message = client.awaitMessage()) {
                received.add(message);
            }
            for (int backend = 0; backend < pushed.size(); backend++) {
                int from = backend;
                List<String> expected = pushed.get(backend).stream()
                        .filter(message -> message.reaches(uid))
                        .map(Pushed::text)
                        .toList();
                List<String> got = received.stream()
                        .filter(message -> Pushed.parse(message).backend() == from)
                        .toList();
                assertThat(got)
                        .as("%s from backend %d: each message to its groups once, in order", uid, backend)
                        .isEqualTo(expected);
            }
        });
        churnedReceived.forEach((uid, received) -> assertThat(received)
                .as("%s receives only messages to its groups", uid)
                .allSatisfy(message -> assertThat(Pushed.parse(message).reaches(uid))
                        .as(message)
                        .isTrue()));
        assertThat(WebSocketTestSupport.serverCloses(server, "4003 slow consumer"))
                .as("no connection closing under a push counts as a slow consumer")
                .isZero();
    }

    private static Pushed next(int backend, int seq) {
        return new Pushed(backend, seq, TARGETS.get(ThreadLocalRandom.current().nextInt(TARGETS.size())));
    }

    private static String pushParams(Pushed message) {
        return "{\"groups\":[\"" + String.join("\",\"", message.groups()) + "\"],\"data\":\"" + message.text() + "\"}";
    }

    /** Whether a worker goes on: until the deadline, and after it until it has done {@code minimum}. */
    private static boolean working(long deadline, int done, int minimum) {
        return System.nanoTime() < deadline || done < minimum;
    }

    /** Pushes over the Text port in pipelined batches until the deadline; returns what it pushed, in order. */
    private List<Pushed> textBackend(int id, long deadline) {
        List<Pushed> pushed = new ArrayList<>();
        try (TextPortClient backend = TextPortClient.connect(server.textAddress())) {
            while (working(deadline, pushed.size(), MIN_PUSHES)) {
                StringBuilder batch = new StringBuilder();
                for (int i = 0; i < TEXT_BATCH; i++) {
                    Pushed message = next(id, pushed.size());
                    pushed.add(message);
                    batch.append("push ").append(pushParams(message)).append('\n');
                }
                backend.write(batch.toString());
                for (int i = 0; i < TEXT_BATCH; i++) {
                    assertThat(backend.readLine()).startsWith("{\"connections\":");
                }
            }
        }
        return pushed;
    }

    /** Pushes with {@code POST /api/push}, one request at a time, until the deadline. */
    private List<Pushed> httpBackend(int id, long deadline) throws IOException, InterruptedException {
        List<Pushed> pushed = new ArrayList<>();
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI uri = URI.create("http://127.0.0.1:" + server.httpAddress().getPort() + "/api/push");
        while (working(deadline, pushed.size(), MIN_PUSHES)) {
            Pushed message = next(id, pushed.size());
            pushed.add(message);
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(uri)
                            .timeout(WebSocketRecorder.TIMEOUT)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(pushParams(message), StandardCharsets.UTF_8))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        }
        return pushed;
    }

    /** Connects, binds and disconnects a client of {@code uid} in a loop; returns every message it got. */
    private List<String> churn(String uid, long deadline, AtomicInteger cycles) {
        List<String> received = new ArrayList<>();
        for (int done = 0; working(deadline, done, MIN_CYCLES); done++) {
            WebSocketRecorder client = WebSocketRecorder.bind(TestServer.ws(server), uid);
            await().pollInterval(Duration.ofMillis(1)).until(() -> server.hub().isOnline(uid));
            received.addAll(client.drainMessages());
            client.close();
            await().pollInterval(Duration.ofMillis(1)).until(() -> !server.hub().isOnline(uid));
            received.addAll(client.drainMessages());
            cycles.incrementAndGet();
        }
        return received;
    }

    /** Joins and leaves an offline uid to every group in a loop, changing the member sets deliveries read. */
    private int ghost(long deadline) {
        int joins = 0;
        try (TextPortClient backend = TextPortClient.connect(server.textAddress())) {
            while (working(deadline, joins, MIN_GHOST_JOINS)) {
                for (String group : List.of("g0", "g1", "g2", "g3")) {
                    assertThat(backend.request("join {\"group\":\"" + group + "\",\"uid\":\"ghost\"}"))
                            .endsWith("\"added\":1}");
                    assertThat(backend.request("leave {\"group\":\"" + group + "\",\"uid\":\"ghost\"}"))
                            .endsWith("\"removed\":1}");
                    joins++;
                }
            }
        }
        return joins;
    }
}
