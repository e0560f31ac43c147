package dev.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.herald.server.HeraldServer;
import dev.herald.testkit.WebSocketRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every {@link HeraldClient} does, against a real server with real WebSocket clients receiving
 * the pushes; run once per transport ({@link HttpHeraldClientIT}, {@link TextHeraldClientIT}).
 */
abstract class HeraldClientContract {

    static final Duration WAIT = Duration.ofSeconds(10);
    /** The server's {@code api.max-batch} in these tests. */
    static final int MAX_BATCH = 3;

    HeraldServer server;
    HeraldClient client;
    private final List<WebSocketRecorder> recorders = new ArrayList<>();

    /** A client of {@code server} with the default options. */
    abstract HeraldClient connect(HeraldServer server);

    /** The {@link HeraldException#httpStatus()} of an error whose HTTP status is {@code status}. */
    abstract int expectedStatus(int status);

    @BeforeEach
    void startServer() {
        server = TestServer.start("api.max-batch", String.valueOf(MAX_BATCH));
        client = connect(server);
    }

    @AfterEach
    void stopServer() {
        client.close();
        recorders.forEach(WebSocketRecorder::close);
        server.stop();
    }

    /** A new WebSocket connection bound to {@code uid}, once the server has bound it. */
    WebSocketRecorder bind(String uid) {
        int before = server.hub().sessionsOf(uid).size();
        WebSocketRecorder recorder = WebSocketRecorder.bind(TestServer.ws(server), uid);
        recorders.add(recorder);
        await().atMost(WAIT).until(() -> server.hub().sessionsOf(uid).size() == before + 1);
        return recorder;
    }

    /** The id of the uid's {@code index}-th connection, in the order they were bound. */
    String connectionId(String uid, int index) {
        return server.hub().sessionsOf(uid).get(index).id().toString();
    }

    @Test
    void pushToUidsReachesEveryConnectionOfThoseUidsOnly() {
        WebSocketRecorder alice1 = bind("alice");
        WebSocketRecorder alice2 = bind("alice");
        WebSocketRecorder bob = bind("bob");
        WebSocketRecorder carol = bind("carol");

        assertThat(client.push(Push.toUids("alice", "bob").data("88%"))).isEqualTo(new PushResult(3, 2));

        assertThat(alice1.awaitMessage()).isEqualTo("88%");
        assertThat(alice2.awaitMessage()).isEqualTo("88%");
        assertThat(bob.awaitMessage()).isEqualTo("88%");
        assertThat(client.push(Push.toUids("nobody").data("x"))).isEqualTo(new PushResult(0, 0));
        assertThat(client.push(Push.toUids("nobody").data("x")).delivered()).isFalse();
        alice1.assertNoMoreMessages();
        bob.assertNoMoreMessages();
        carol.assertNoMoreMessages();
    }

    record Progress(String task, int percent) {}

    static Stream<Arguments> payloads() {
        ObjectMapper mapper = new ObjectMapper();
        return Stream.of(
                Arguments.of(Named.of("a string is sent as its text", "88%"), "88%"),
                Arguments.of(
                        Named.of("a string with a newline, quotes and non-ASCII", "line\n\"two\" é ✓ 😀"),
                        "line\n\"two\" é ✓ 😀"),
                Arguments.of(Named.of("a string that looks like JSON stays a string", "{\"a\":1}"), "{\"a\":1}"),
                Arguments.of(Named.of("a map as JSON", Map.of("percent", "88%")), "{\"percent\":\"88%\"}"),
                Arguments.of(
                        Named.of(
                                "a JsonNode as JSON",
                                mapper.createObjectNode().put("n", 1).put("ok", true)),
                        "{\"n\":1,\"ok\":true}"),
                Arguments.of(
                        Named.of("a record as JSON", new Progress("export", 42)),
                        "{\"task\":\"export\",\"percent\":42}"),
                Arguments.of(Named.of("a number as JSON", 42), "42"),
                Arguments.of(Named.of("a list as JSON", List.of(1, "two")), "[1,\"two\"]"));
    }

    @ParameterizedTest
    @MethodSource("payloads")
    void pushDataArrivesAsTheClientSeesIt(Object data, String received) {
        WebSocketRecorder alice = bind("alice");
        assertThat(client.push(Push.toUids("alice").data(data))).isEqualTo(new PushResult(1, 1));
        assertThat(alice.awaitMessage()).isEqualTo(received);
        alice.assertNoMoreMessages();
    }

    @Test
    void jsonTextIsSentUnchanged() {
        WebSocketRecorder alice = bind("alice");
        String json = "{ \"spaced\" : [1, 2.50, \"x\"] }";
        client.push(Push.toUids("alice").dataJson(json));
        assertThat(alice.awaitMessage()).isEqualTo(json);
    }

    @Test
    void pushToGroupsAndUidsWithExclusionsReachesEachConnectionOnce() {
        WebSocketRecorder alice = bind("alice");
        WebSocketRecorder bob = bind("bob");
        WebSocketRecorder carol = bind("carol");
        WebSocketRecorder dave = bind("dave");
        assertThat(client.join("room:42", "alice", "bob")).isEqualTo(2);

        PushResult result = client.push(Push.toGroups("room:42")
                .toUids("alice", "carol")
                .excludeUids("bob")
                .data("hi"));

        assertThat(result).isEqualTo(new PushResult(2, 2));
        assertThat(alice.awaitMessage()).isEqualTo("hi");
        assertThat(carol.awaitMessage()).isEqualTo("hi");
        alice.assertNoMoreMessages();
        bob.assertNoMoreMessages();
        dave.assertNoMoreMessages();
    }

    @Test
    void excludedConnectionsAreLeftOut() {
        WebSocketRecorder first = bind("alice");
        WebSocketRecorder second = bind("alice");
        String firstId = connectionId("alice", 0);

        assertThat(client.push(Push.toUids("alice").excludeConnections(firstId).data("only one")))
                .isEqualTo(new PushResult(1, 1));

        assertThat(second.awaitMessage()).isEqualTo("only one");
        first.assertNoMoreMessages();
    }

    @Test
    void pushToAllAndBroadcastReachEveryone() {
        WebSocketRecorder alice = bind("alice");
        WebSocketRecorder bob = bind("bob");

        assertThat(client.push(Push.toAll().excludeUids("bob").data("not bob"))).isEqualTo(new PushResult(1, 1));
        assertThat(client.broadcast(Map.of("all", true))).isEqualTo(new PushResult(2, 2));

        assertThat(alice.awaitMessage()).isEqualTo("not bob");
        assertThat(alice.awaitMessage()).isEqualTo("{\"all\":true}");
        assertThat(bob.awaitMessage()).isEqualTo("{\"all\":true}");
        bob.assertNoMoreMessages();
    }

    @Test
    void aPushWithATtlWaitsForAnOfflineUidAndARetriedIdIsNotDeliveredTwice() {
        Push push = Push.toUids("offline-uid")
                .data("later")
                .ttl(Duration.ofMinutes(5))
                .id("once-1");
        assertThat(client.push(push)).isEqualTo(new PushResult(0, 0, 1, 0, false));
        assertThat(client.push(push)).isEqualTo(new PushResult(0, 0, 1, 0, true));
    }

    @Test
    void aPushWithAReceiptCanBeAskedWhatBecameOfIt() {
        PushResult result = client.push(
                Push.toUids("receipt-uid").data("x").ttl(Duration.ofMinutes(1)).withReceipt());
        assertThat(result.receipt()).isNotNull();
        assertThat(client.receipt(result.receipt())
                        .path("uids")
                        .path("receipt-uid")
                        .path("state")
                        .asText())
                .isEqualTo("queued");
        assertThatThrownBy(() -> client.receipt("no-such-receipt"))
                .isInstanceOfSatisfying(
                        HeraldException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_RECEIPT));
    }

    @Test
    void aBatchAnswersEachPushInOrder() {
        WebSocketRecorder alice = bind("alice");
        WebSocketRecorder bob = bind("bob");

        List<PushResult> results = client.pushBatch(List.of(
                Push.toUids("alice").data("10%"),
                Push.toUids("nobody").data("x"),
                Push.toUids("alice", "bob").data("20%")));

        assertThat(results).containsExactly(new PushResult(1, 1), new PushResult(0, 0), new PushResult(2, 2));
        assertThat(alice.awaitMessage()).isEqualTo("10%");
        assertThat(alice.awaitMessage()).isEqualTo("20%");
        assertThat(bob.awaitMessage()).isEqualTo("20%");
    }

    @Test
    void presenceQueries() {
        bind("alice");
        bind("bob");
        bind("carol");

        assertThat(client.isOnline("alice")).isTrue();
        assertThat(client.isOnline("zed")).isFalse();
        assertThat(client.online(List.of("zed", "alice")))
                .containsExactly(Map.entry("zed", false), Map.entry("alice", true));

        assertThat(client.onlineUids(null, 2)).isEqualTo(new Page(List.of("alice", "bob"), "bob"));
        assertThat(client.onlineUids("bob", 2)).isEqualTo(new Page(List.of("carol"), null));
        assertThat(client.onlineUids().items()).containsExactly("alice", "bob", "carol");
        assertThat(client.onlineUids().isLast()).isTrue();
        assertThat(client.counts()).isEqualTo(new Counts(3, 3, 0));
    }

    @Test
    void groupsAndMembers() {
        bind("a");
        assertThat(client.join("g1", "a", "b")).isEqualTo(2);
        assertThat(client.join("g1", List.of("b", "c"))).isEqualTo(1);
        assertThat(client.join("g2", "a")).isEqualTo(1);

        assertThat(client.groups(null, 1)).isEqualTo(new Page(List.of("g1"), "g1"));
        assertThat(client.groups("g1", 1)).isEqualTo(new Page(List.of("g2"), null));
        assertThat(client.groups().items()).containsExactly("g1", "g2");
        assertThat(client.members("g1")).isEqualTo(new Page(List.of("a", "b", "c"), null));
        assertThat(client.members("g1", null, 2)).isEqualTo(new Page(List.of("a", "b"), "b"));
        assertThat(client.members("g1", "b", 2)).isEqualTo(new Page(List.of("c"), null));
        assertThat(client.groupCount("g1")).isEqualTo(new GroupCount("g1", 3, 1));
        assertThat(client.counts()).isEqualTo(new Counts(1, 1, 2));

        assertThat(client.leave("g1", "a", "zed")).isEqualTo(1);
        assertThat(client.leave("g2", List.of("a"))).isEqualTo(1);
        assertThat(client.groupCount("g1")).isEqualTo(new GroupCount("g1", 2, 0));
        assertThat(client.groupCount("g2")).isEqualTo(new GroupCount("g2", 0, 0));
        assertThat(client.groups().items()).containsExactly("g1");
    }

    @Test
    void kickClosesTheUidsConnectionsWithTheReason() {
        WebSocketRecorder alice1 = bind("alice");
        WebSocketRecorder alice2 = bind("alice");
        WebSocketRecorder bob = bind("bob");

        assertThat(client.kick("alice", "logged out")).isEqualTo(2);

        assertThat(alice1.awaitClose()).isEqualTo(new WebSocketRecorder.Close(4501, "logged out"));
        assertThat(alice2.awaitClose()).isEqualTo(new WebSocketRecorder.Close(4501, "logged out"));
        await().atMost(WAIT).until(() -> !server.hub().isOnline("alice")); // the close handshake ends
        assertThat(client.kick("alice", null)).isZero();
        bob.assertNoMoreMessages();
    }

    @Test
    void kickConnectionClosesThatConnectionOnly() {
        WebSocketRecorder first = bind("alice");
        WebSocketRecorder second = bind("alice");
        String secondId = connectionId("alice", 1);

        assertThat(client.kickConnection(secondId, null)).isEqualTo(1);

        assertThat(second.awaitClose()).isEqualTo(new WebSocketRecorder.Close(4501, "kicked"));
        await().atMost(WAIT).until(() -> server.hub().sessionsOf("alice").size() == 1);
        assertThat(client.kickConnection(secondId, "again")).isZero();
        assertThat(client.kickConnection("not-an-id", null)).isZero();
        first.assertNoMoreMessages();
    }

    @Test
    void statsAreTheServersCounters() {
        bind("alice");
        client.push(Push.toUids("alice").data("x"));

        JsonNode stats = client.stats();

        assertThat(stats.path("version").asText()).isEqualTo(HeraldServer.VERSION);
        assertThat(stats.path("pushes").asLong()).isEqualTo(1);
        assertThat(stats.path("connections").asLong()).isEqualTo(1);
    }

    @Test
    void anyCommandCanBeSentRaw() {
        bind("alice");
        ObjectMapper mapper = new ObjectMapper();
        JsonNode reply = client.call("online", mapper.createObjectNode().put("uid", "alice"));
        assertThat(reply.toString()).isEqualTo("{\"online\":{\"alice\":true}}");
        assertThatThrownBy(() -> client.call("no such verb", mapper.createObjectNode()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void asyncMethodsGiveTheSameResultsAsSyncOnes() throws Exception {
        WebSocketRecorder alice = bind("alice");
        client.join("g", "alice", "bob");

        assertThat(get(client.pushAsync(Push.toUids("alice").data("1")))).isEqualTo(new PushResult(1, 1));
        assertThat(get(client.pushBatchAsync(List.of(Push.toGroups("g").data("2")))))
                .containsExactly(new PushResult(1, 1));
        assertThat(get(client.broadcastAsync("3"))).isEqualTo(new PushResult(1, 1));
        assertThat(get(client.isOnlineAsync("alice"))).isTrue();
        assertThat(get(client.onlineAsync(List.of("bob")))).isEqualTo(Map.of("bob", false));
        assertThat(get(client.onlineUidsAsync(null, 10))).isEqualTo(client.onlineUids(null, 10));
        assertThat(get(client.groupsAsync(null, 10))).isEqualTo(new Page(List.of("g"), null));
        assertThat(get(client.countsAsync())).isEqualTo(client.counts());
        assertThat(get(client.groupCountAsync("g"))).isEqualTo(new GroupCount("g", 2, 1));
        assertThat(get(client.membersAsync("g", null, 1))).isEqualTo(new Page(List.of("alice"), "alice"));
        assertThat(get(client.joinAsync("g", List.of("carol")))).isEqualTo(1);
        assertThat(get(client.leaveAsync("g", List.of("carol", "zed")))).isEqualTo(1);
        assertThat(get(client.statsAsync()).path("pushes").asLong()).isEqualTo(3);
        assertThat(get(client.callAsync("count", new ObjectMapper().createObjectNode()))
                        .path("uids")
                        .asLong())
                .isEqualTo(1);
        assertThat(alice.awaitMessage()).isEqualTo("1");
        assertThat(alice.awaitMessage()).isEqualTo("2");
        assertThat(alice.awaitMessage()).isEqualTo("3");
        assertThat(get(client.kickConnectionAsync("zzzz", null))).isZero();
        assertThat(get(client.kickAsync("alice", "bye"))).isEqualTo(1);
        assertThat(alice.awaitClose()).isEqualTo(new WebSocketRecorder.Close(4501, "bye"));
    }

    static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A call that the server refuses, and the error it must give. */
    record Refused(Function<HeraldClient, Object> call, ErrorCode code, String field) {}

    static Stream<Arguments> refusals() {
        return Stream.of(
                refused("a push with no target", c -> c.push(Push.toUids().data("x")), ErrorCode.MISSING_FIELD, "uids"),
                refused(
                        "an empty uid",
                        c -> c.push(Push.toUids("ok", "").data("x")),
                        ErrorCode.INVALID_FIELD,
                        "uids[1]"),
                refused(
                        "a group name with a space",
                        c -> c.push(Push.toGroups("room 42").data("x")),
                        ErrorCode.INVALID_FIELD,
                        "groups[0]"),
                refused(
                        "an excluded uid that is too long",
                        c -> c.push(Push.toAll().excludeUids("u".repeat(129)).data("x")),
                        ErrorCode.INVALID_FIELD,
                        "exclude.uids[0]"),
                refused(
                        "JSON text that is not JSON",
                        c -> c.push(Push.toUids("a").dataJson("{oops")),
                        ErrorCode.INVALID_JSON,
                        null),
                refused(
                        "null data",
                        c -> c.push(Push.toUids("a").data(NullNode.getInstance())),
                        ErrorCode.INVALID_FIELD,
                        "data"),
                refused(
                        "a batch larger than api.max-batch",
                        c -> c.pushBatch(Collections.nCopies(
                                MAX_BATCH + 1, Push.toUids("a").data("x"))),
                        ErrorCode.TOO_MANY,
                        null),
                refused(
                        "a batch item without a target",
                        c -> c.pushBatch(List.of(
                                Push.toUids("a").data("x"), Push.toUids().data("y"))),
                        ErrorCode.MISSING_FIELD,
                        "[1].uids"),
                refused("an empty batch", c -> c.pushBatch(List.of()), ErrorCode.INVALID_FIELD, "[]"),
                refused("online without uids", c -> c.online(List.of()), ErrorCode.MISSING_FIELD, "uids"),
                refused("a negative page limit", c -> c.onlineUids(null, -1), ErrorCode.INVALID_FIELD, "limit"),
                refused("a page limit over api.max-page", c -> c.groups(null, 1001), ErrorCode.INVALID_FIELD, "limit"),
                refused("members of an empty group name", c -> c.members(""), ErrorCode.INVALID_FIELD, "group"),
                refused("a count of a bad group name", c -> c.groupCount("a\tb"), ErrorCode.INVALID_FIELD, "group"),
                refused("join without uids", c -> c.join("g", List.of()), ErrorCode.MISSING_FIELD, "uids"),
                refused("leave with an empty uid", c -> c.leave("g", ""), ErrorCode.INVALID_FIELD, "uids[0]"),
                refused("kick an empty uid", c -> c.kick("", null), ErrorCode.INVALID_FIELD, "uid"),
                refused(
                        "a kick reason over 123 bytes",
                        c -> c.kick("alice", "é".repeat(62)),
                        ErrorCode.INVALID_FIELD,
                        "reason"),
                refused(
                        "a raw command with an unknown field",
                        c -> c.call(
                                "count", new ObjectMapper().createObjectNode().put("grop", "g")),
                        ErrorCode.UNKNOWN_FIELD,
                        "grop"));
    }

    private static Arguments refused(String name, Function<HeraldClient, Object> call, ErrorCode code, String field) {
        return Arguments.of(Named.of(name, new Refused(call, code, field)));
    }

    @ParameterizedTest
    @MethodSource("refusals")
    void refusalsAreTypedErrorsNamingTheField(Refused refused) {
        assertThatThrownBy(() -> refused.call().apply(client))
                .isExactlyInstanceOf(HeraldException.class)
                .satisfies(thrown -> {
                    HeraldException e = (HeraldException) thrown;
                    assertThat(e.code()).isEqualTo(refused.code());
                    assertThat(e.codeName()).isEqualTo(refused.code().codeName());
                    assertThat(e.field()).isEqualTo(refused.field());
                    assertThat(e.httpStatus()).isEqualTo(expectedStatus(400));
                    assertThat(e.getMessage()).isNotBlank();
                    if (refused.field() != null) {
                        assertThat(e.getMessage()).startsWith(refused.field() + ": ");
                    }
                });
        assertThat(client.isOnline("alice")).as("the client is still usable").isFalse();
    }

    @Test
    void asyncRefusalsFailTheFutureWithTheTypedError() {
        CompletableFuture<PushResult> future = client.pushAsync(Push.toUids("a").data(NullNode.getInstance()));

        assertThatThrownBy(() -> future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isExactlyInstanceOf(HeraldException.class)
                .hasFieldOrPropertyWithValue("code", ErrorCode.INVALID_FIELD)
                .hasFieldOrPropertyWithValue("field", "data");
        Throwable seen = future.handle((result, failure) -> failure).join();
        assertThat(seen).as("what exceptionally/handle see").isExactlyInstanceOf(HeraldException.class);
        assertThatThrownBy(future::join)
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOf(HeraldException.class);
    }

    @Test
    void callbacksRunOffTheIoThreadsSoTheyMayCallTheClient() throws Exception {
        bind("alice");
        String[] thread = new String[1];

        CompletableFuture<Boolean> nested = client.countsAsync().thenApply(counts -> {
            thread[0] = Thread.currentThread().getName();
            return client.isOnline("alice") && counts.uids() == 1;
        });

        assertThat(get(nested)).isTrue();
        assertThat(thread[0]).startsWith("herald-");
        assertThat(thread[0]).doesNotContain("reader").doesNotContain("timer");
    }

    @Test
    void concurrentCallsFromManyThreadsEachGetTheirOwnReply() throws Exception {
        bind("u-3-7");
        int threads = 8;
        int calls = 100;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Map<String, Object>>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                workers.add(pool.submit(() -> {
                    Map<String, Object> results = new LinkedHashMap<>();
                    List<CompletableFuture<Map<String, Boolean>>> async = new ArrayList<>();
                    for (int i = 0; i < calls; i++) {
                        String group = "g-" + thread + "-" + i;
                        results.put(group, client.groupCount(group).group());
                        async.add(client.onlineAsync(List.of("u-" + thread + "-" + i)));
                    }
                    for (int i = 0; i < calls; i++) {
                        results.put("u-" + thread + "-" + i, get(async.get(i)));
                    }
                    return results;
                }));
            }
            for (int t = 0; t < threads; t++) {
                Map<String, Object> results = workers.get(t).get(60, TimeUnit.SECONDS);
                for (int i = 0; i < calls; i++) {
                    String group = "g-" + t + "-" + i;
                    String uid = "u-" + t + "-" + i;
                    assertThat(results.get(group)).isEqualTo(group);
                    assertThat(results.get(uid)).isEqualTo(Map.of(uid, uid.equals("u-3-7")));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aClosedClientFailsItsCalls() {
        client.close();
        client.close();

        assertThatThrownBy(() -> client.counts())
                .isInstanceOf(HeraldTransportException.class)
                .hasFieldOrPropertyWithValue("code", ErrorCode.TRANSPORT)
                .hasMessageContaining("closed");
        assertThat(client.countsAsync())
                .failsWithin(WAIT)
                .withThrowableOfType(ExecutionException.class)
                .havingCause()
                .isInstanceOf(HeraldTransportException.class);
    }
}
