package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.herald.testkit.SocketBuffers;
import dev.herald.testkit.TextPortClient;
import dev.herald.testkit.WebSocketRecorder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * The Text port under bounded concurrent load: pipelining backends on several connections, and a
 * backend that does not read its replies (back-pressure without losing or reordering replies).
 */
class TextPortLoadIT {

    private static final Pattern PUSH =
            Pattern.compile("\\{\"uid\":\"load-(\\d+)\",\"backend\":(\\d+),\"seq\":(\\d+)}");

    /** Herald's loggers: quieted to INFO here, as a per-line DEBUG log would dominate the run time. */
    private static final Logger HERALD_LOG = (Logger) LoggerFactory.getLogger("dev.herald");

    private HeraldServer server;
    private ExecutorService threads;
    private Level logLevel;

    @BeforeEach
    void start() {
        logLevel = HERALD_LOG.getLevel();
        HERALD_LOG.setLevel(Level.INFO);
        server = TestServer.start();
        threads = Executors.newCachedThreadPool();
    }

    @AfterEach
    void stop() throws InterruptedException {
        threads.shutdownNow();
        assertThat(threads.awaitTermination(10, TimeUnit.SECONDS))
                .as("test threads ended")
                .isTrue();
        server.stop();
        HERALD_LOG.setLevel(logLevel);
    }

    @Test
    @Timeout(60)
    void pipeliningBackendsReachEveryClientExactlyOnceInOrder() throws Exception {
        int backends = 8;
        int pushesPerBackend = 2_000;
        int clients = 50;
        List<WebSocketRecorder> pages = new ArrayList<>();
        try {
            for (int c = 0; c < clients; c++) {
                pages.add(WebSocketRecorder.bind(TestServer.ws(server), "load-" + c));
            }
            await().until(() -> server.hub().uidCount() == clients);

            List<Future<List<String>>> replies = new ArrayList<>();
            for (int b = 0; b < backends; b++) {
                int backend = b;
                replies.add(threads.submit(() -> {
                    try (TextPortClient php = TextPortClient.connect(server.textAddress())) {
                        StringBuilder lines = new StringBuilder();
                        for (int seq = 0; seq < pushesPerBackend; seq++) {
                            lines.append(push(seq % clients, backend, seq)).append('\n');
                        }
                        php.write(lines.toString());
                        List<String> answers = new ArrayList<>(pushesPerBackend);
                        for (int i = 0; i < pushesPerBackend; i++) {
                            answers.add(php.readLine());
                        }
                        return answers;
                    }
                }));
            }
            for (Future<List<String>> answers : replies) {
                assertThat(answers.get(30, TimeUnit.SECONDS))
                        .hasSize(pushesPerBackend)
                        .containsOnly("ok");
            }

            for (int c = 0; c < clients; c++) {
                WebSocketRecorder page = pages.get(c);
                List<List<Integer>> seqsByBackend = new ArrayList<>();
                for (int b = 0; b < backends; b++) {
                    seqsByBackend.add(new ArrayList<>());
                }
                for (int i = 0; i < backends * pushesPerBackend / clients; i++) {
                    String message = page.awaitMessage();
                    Matcher m = PUSH.matcher(message);
                    assertThat(m.matches())
                            .as("forwarded unchanged: %s", message)
                            .isTrue();
                    assertThat(Integer.parseInt(m.group(1)))
                            .as("routed to its uid")
                            .isEqualTo(c);
                    seqsByBackend.get(Integer.parseInt(m.group(2))).add(Integer.parseInt(m.group(3)));
                }
                List<Integer> expected = new ArrayList<>();
                for (int seq = c; seq < pushesPerBackend; seq += clients) {
                    expected.add(seq);
                }
                for (int b = 0; b < backends; b++) {
                    assertThat(seqsByBackend.get(b))
                            .as("client %d from backend %d", c, b)
                            .isEqualTo(expected);
                }
                page.assertNoMoreMessages();
            }
            assertThat(text().get("ok")).isEqualTo((long) backends * pushesPerBackend);
        } finally {
            pages.forEach(WebSocketRecorder::close);
        }
    }

    @Test
    @Timeout(60)
    void aBackendThatDoesNotReadIsHeldBackWhileOthersAreServedAndLosesNoReply() throws Exception {
        // Half the replies (over 50 bytes each on average) must be more than the kernel can hold of them.
        int total = (int) Math.max(200_000, 2 * SocketBuffers.unreadCapacity() / 50 / 100 * 100 + 100);
        try (WebSocketRecorder sink = WebSocketRecorder.bind(TestServer.ws(server), "sink");
                WebSocketRecorder page = WebSocketRecorder.bind(TestServer.ws(server), "other");
                Socket slow = new Socket()) {
            await().until(() -> server.hub().isOnline("sink") && server.hub().isOnline("other"));
            slow.connect(server.textAddress(), 10_000);
            slow.setSoTimeout(10_000);
            AtomicLong written = new AtomicLong();
            Future<?> writer = threads.submit(() -> {
                OutputStream out = slow.getOutputStream();
                StringBuilder chunk = new StringBuilder();
                for (int i = 0; i < total; i++) {
                    chunk.append(slowLine(i)).append('\n');
                    if (chunk.length() > 8 * 1024 || i == total - 1) {
                        out.write(chunk.toString().getBytes(StandardCharsets.UTF_8));
                        written.set(i + 1);
                        chunk.setLength(0);
                    }
                }
                out.flush();
                return null;
            });

            // The server stops reading from it: the count of lines read settles below the total. (Whether
            // the writer blocks too depends on the kernel's socket buffers, which may hold all its lines.)
            AtomicLong lastSeen = new AtomicLong(-1);
            await().atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(300))
                    .until(() -> {
                        long lines = (Long) text().get("lines");
                        return lines > 0 && lines == lastSeen.getAndSet(lines);
                    });
            assertThat((Long) text().get("lines"))
                    .as("lines read while the replies are not")
                    .isLessThan(total);

            try (TextPortClient other = TextPortClient.connect(server.textAddress())) {
                long started = System.nanoTime();
                assertThat(other.request("{\"uid\":\"other\",\"n\":1}")).isEqualTo("ok");
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
                assertThat(page.awaitMessage()).isEqualTo("{\"uid\":\"other\",\"n\":1}");
            }

            BufferedReader in =
                    new BufferedReader(new InputStreamReader(slow.getInputStream(), StandardCharsets.UTF_8));
            for (int i = 0; i < total; i++) {
                String reply = in.readLine();
                if (reply == null || !matches(reply, i)) {
                    fail("reply %d: expected %s, got %s", i, expectedReply(i), reply);
                }
            }
            writer.get(10, TimeUnit.SECONDS);
            assertThat(written.get()).isEqualTo(total);
            slow.shutdownOutput();
            assertThat(in.readLine()).as("no reply beyond one per line").isNull();

            for (int i = 0; i < total; i += 100) {
                assertThat(sink.awaitMessage()).isEqualTo(slowLine(i));
            }
            sink.assertNoMoreMessages();
            Map<String, Object> text = text();
            assertThat(text.get("lines")).isEqualTo((long) total + 1);
            assertThat(text.get("ok")).isEqualTo((long) total / 100 + 1);
        }
    }

    /**
     * Every 100th line goes to the bound sink, odd ones to an offline uid, the rest are a bare token
     * whose (long) error reply names it, so that the replies outweigh the lines and show their order.
     */
    private static String slowLine(int i) {
        if (i % 100 == 0) {
            return "{\"uid\":\"sink\",\"n\":" + i + "}";
        }
        return i % 2 == 1 ? "{\"uid\":\"offline\",\"n\":" + i + "}" : "n" + i;
    }

    private static String expectedReply(int i) {
        if (i % 100 == 0) {
            return "ok";
        }
        return i % 2 == 1 ? "fail" : "error invalid_json 'n" + i + "'";
    }

    private static boolean matches(String reply, int i) {
        if (i % 100 == 0 || i % 2 == 1) {
            return reply.equals(expectedReply(i));
        }
        return reply.startsWith("error invalid_json ") && reply.contains("'n" + i + "'");
    }

    private static String push(int client, int backend, int seq) {
        return "{\"uid\":\"load-" + client + "\",\"backend\":" + backend + ",\"seq\":" + seq + "}";
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> text() {
        return (Map<String, Object>) server.stats().get("text");
    }
}
