package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testkit.TextPortClient;
import dev.herald.testkit.WebSocketRecorder;
import dev.herald.testkit.WebSocketRecorder.Close;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every backend command end to end, through both adapters with the same expectations: each scenario
 * runs once on the Text port ({@code <verb> <json>}) and once over HTTP ({@code POST /api/<verb>}),
 * and asserts the same JSON reply on both (HTTP 200), while real WebSocket clients receive the pushes.
 *
 * <p>What a client received is checked exactly with a fence: a broadcast of a unique marker, after
 * which each client's messages up to the marker are all it got (messages to one connection keep their
 * order), so a duplicate or a stray message fails the test.
 */
class CommandsIT {

    enum Adapter {
        TEXT_PORT,
        HTTP
    }

    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private HeraldServer server;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private int fences;

    @BeforeEach
    void start() {
        server = TestServer.start("api.max-batch", "3");
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
        server.stop();
    }

    /** JSON written with single quotes, for readable literals: {@code j("{'uid':'a'}")}. */
    private static String j(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    /** A backend connection through one adapter. */
    private final class Backend implements AutoCloseable {
        private final TextPortClient text;

        Backend(Adapter adapter) {
            this.text = adapter == Adapter.TEXT_PORT ? TextPortClient.connect(server.textAddress()) : null;
        }

        /** Runs a command with JSON parameters ({@code null}: none) and returns the reply; HTTP must answer 200. */
        String ok(String verb, String params) {
            return call(200, verb, params == null ? null : params.getBytes(StandardCharsets.UTF_8));
        }

        /** Runs a command; over HTTP asserts the status and the JSON content type. Returns the reply. */
        String call(int status, String verb, byte[] params) {
            if (text != null) {
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                line.writeBytes(verb.getBytes(StandardCharsets.US_ASCII));
                if (params != null) {
                    line.write(' ');
                    line.writeBytes(params);
                }
                line.write('\n');
                String reply = text.write(line.toByteArray()).readLine();
                assertThat(reply).as("reply to %s", verb).isNotNull();
                return reply;
            }
            HttpResponse<String> response = post(verb, params, "application/json");
            assertThat(response.statusCode())
                    .as("HTTP status of %s %s", verb, response.body())
                    .isEqualTo(status);
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
            return response.body();
        }

        @Override
        public void close() {
            if (text != null) {
                text.close();
            }
        }
    }

    private Backend backend(Adapter adapter) {
        Backend backend = new Backend(adapter);
        closeables.add(backend);
        return backend;
    }

    private HttpResponse<String> post(String verb, byte[] body, String contentType) {
        return send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.httpAddress().getPort() + "/api/" + verb))
                .timeout(WebSocketRecorder.TIMEOUT)
                .header("Content-Type", contentType)
                .POST(body == null ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(body)));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.build(), BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A client bound to {@code uid}, returned once the hub has it: connections of a uid bind in call order. */
    private WebSocketRecorder client(String uid) {
        int before = server.hub().sessionsOf(uid).size();
        WebSocketRecorder client = WebSocketRecorder.bind(TestServer.ws(server), uid);
        closeables.add(client);
        await().until(() -> server.hub().sessionsOf(uid).size() == before + 1);
        return client;
    }

    /** Closes a client and waits until the hub has forgotten the connection. */
    private void disconnect(WebSocketRecorder client, String uid) {
        int before = server.hub().sessionsOf(uid).size();
        client.close();
        await().until(() -> server.hub().sessionsOf(uid).size() == before - 1);
    }

    /** Broadcasts a unique marker through the backend; see {@link #until}. */
    private String fence(Backend backend) {
        String fence = "fence-" + ++fences;
        backend.ok("broadcast", j("{'data':'" + fence + "'}"));
        return fence;
    }

    /** The messages a client received before the fence: all it received since the previous one. */
    private static List<String> until(WebSocketRecorder client, String fence) {
        List<String> messages = new ArrayList<>();
        for (String message = client.awaitMessage(); !message.equals(fence); message = client.awaitMessage()) {
            messages.add(message);
        }
        return messages;
    }

    private static List<String> ids(Backend backend, String uid) {
        JsonNode reply = parse(backend.ok("connections", j("{'uid':'" + uid + "'}")));
        assertThat(reply.get("uid").asText()).isEqualTo(uid);
        List<String> ids = new ArrayList<>();
        reply.get("connections").forEach(id -> ids.add(id.asText()));
        return ids;
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    // --- pushes ---------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource
    void pushToUids(Adapter adapter) {
        Backend backend = backend(adapter);
        WebSocketRecorder a = client("a");
        WebSocketRecorder b = client("b");
        WebSocketRecorder c = client("c");

        assertThat(backend.ok("push", j("{'uids':['a','b'],'data':'hi'}"))).isEqualTo(j("{'connections':2,'uids':2}"));
        assertThat(backend.ok("push", j("{'uid':'c','data':'just c'}"))).isEqualTo(j("{'connections':1,'uids':1}"));
        assertThat(backend.ok("push", j("{'uid':'nobody','data':'lost'}"))).isEqualTo(j("{'connections':0,'uids':0}"));

        String fence = fence(backend);
        assertThat(until(a, fence)).containsExactly("hi");
        assertThat(until(b, fence)).containsExactly("hi");
        assertThat(until(c, fence)).containsExactly("just c");
    }

    @ParameterizedTest
    @EnumSource
    void pushToGroups(Adapter adapter) {
        Backend backend = backend(adapter);
        backend.ok("join", j("{'group':'g1','uids':['a','b']}"));
        backend.ok("join", j("{'group':'g2','uids':['b','c']}"));
        WebSocketRecorder a = client("a");
        WebSocketRecorder b = client("b");
        WebSocketRecorder c = client("c");
        WebSocketRecorder d = client("d");

        assertThat(backend.ok("push", j("{'groups':['g1','g2'],'data':'both'}")))
                .isEqualTo(j("{'connections':3,'uids':3}"));
        assertThat(backend.ok("push", j("{'group':'g2','data':'g2'}"))).isEqualTo(j("{'connections':2,'uids':2}"));
        assertThat(backend.ok("push", j("{'group':'empty','data':'none'}"))).isEqualTo(j("{'connections':0,'uids':0}"));

        String fence = fence(backend);
        assertThat(until(a, fence)).containsExactly("both");
        assertThat(until(b, fence)).containsExactly("both", "g2");
        assertThat(until(c, fence)).containsExactly("both", "g2");
        assertThat(until(d, fence)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource
    void pushToAllAndBroadcast(Adapter adapter) {
        Backend backend = backend(adapter);
        WebSocketRecorder a = client("a");
        WebSocketRecorder b1 = client("b");
        WebSocketRecorder b2 = client("b");
        closeables.add(WebSocketRecorder.connect(TestServer.ws(server))); // not bound: no uid, no pushes
        await().until(() -> server.hub().connectionCount() == 4);

        assertThat(backend.ok("push", j("{'all':true,'data':'to all'}"))).isEqualTo(j("{'connections':3,'uids':2}"));
        assertThat(backend.ok("broadcast", j("{'data':'broadcast'}"))).isEqualTo(j("{'connections':3,'uids':2}"));
        assertThat(backend.ok("broadcast", j("{'data':'not a','exclude':{'uids':['a']}}")))
                .isEqualTo(j("{'connections':2,'uids':1}"));

        String fence = fence(backend);
        assertThat(until(a, fence)).containsExactly("to all", "broadcast");
        assertThat(until(b1, fence)).containsExactly("to all", "broadcast", "not a");
        assertThat(until(b2, fence)).containsExactly("to all", "broadcast", "not a");
    }

    @ParameterizedTest
    @EnumSource
    void exclusionsByUidAndByConnection(Adapter adapter) {
        Backend backend = backend(adapter);
        WebSocketRecorder a = client("a");
        WebSocketRecorder b1 = client("b");
        WebSocketRecorder b2 = client("b");
        WebSocketRecorder c = client("c");
        backend.ok("join", j("{'group':'g','uids':['b','c']}"));
        List<String> b = ids(backend, "b");
        assertThat(b).hasSize(2).doesNotHaveDuplicates().allMatch(id -> id.matches("[0-9a-z]+"));

        assertThat(backend.ok(
                        "push",
                        j("{'uid':'a','groups':['g'],'exclude':{'uids':['c'],'connections':['" + b.get(0)
                                + "']},'data':'m1'}")))
                .isEqualTo(j("{'connections':2,'uids':2}"));
        assertThat(backend.ok(
                        "push",
                        j("{'all':true,'exclude':{'uids':['a'],'connections':['" + b.get(1) + "']},'data':'m2'}")))
                .isEqualTo(j("{'connections':2,'uids':2}"));
        assertThat(backend.ok(
                        "broadcast",
                        j("{'exclude':{'connections':['" + b.get(0) + "','" + b.get(1) + "']},'data':'m3'}")))
                .isEqualTo(j("{'connections':2,'uids':2}"));
        assertThat(backend.ok("push", j("{'uid':'b','exclude':{'uids':['b']},'data':'m4'}")))
                .as("an excluded uid wins over a named one")
                .isEqualTo(j("{'connections':0,'uids':0}"));

        String fence = fence(backend);
        assertThat(until(a, fence)).containsExactly("m1", "m3");
        assertThat(until(b1, fence)).containsExactly("m2");
        assertThat(until(b2, fence)).containsExactly("m1");
        assertThat(until(c, fence)).containsExactly("m2", "m3");
    }

    @ParameterizedTest
    @EnumSource
    void connectionsListsAUidsConnectionIdsInBindOrder(Adapter adapter) {
        Backend backend = backend(adapter);
        assertThat(backend.ok("connections", j("{'uid':'a'}"))).isEqualTo(j("{'uid':'a','connections':[]}"));
        WebSocketRecorder first = client("a");
        List<String> one = ids(backend, "a");
        WebSocketRecorder second = client("a");
        List<String> two = ids(backend, "a");
        assertThat(two).hasSize(2).startsWith(one.get(0));
        assertThat(backend.ok("connections", j("{'uid':'a'}")))
                .isEqualTo(j("{'uid':'a','connections':['" + two.get(0) + "','" + two.get(1) + "']}"));

        disconnect(first, "a");
        assertThat(ids(backend, "a")).containsExactly(two.get(1));
        assertThat(backend.ok("push", j("{'uid':'a','data':'left'}"))).isEqualTo(j("{'connections':1,'uids':1}"));
        assertThat(second.awaitMessage()).isEqualTo("left");
    }

    @ParameterizedTest
    @EnumSource
    void eachConnectionReceivesOnceHoweverManyPartsNameIt(Adapter adapter) {
        Backend backend = backend(adapter);
        backend.ok("join", j("{'group':'g1','uid':'x'}"));
        backend.ok("join", j("{'group':'g2','uids':['x','y']}"));
        WebSocketRecorder x1 = client("x");
        WebSocketRecorder x2 = client("x");
        WebSocketRecorder y = client("y");

        assertThat(backend.ok("push", j("{'uids':['x','y'],'uid':'x','groups':['g1','g2'],'data':'once'}")))
                .isEqualTo(j("{'connections':3,'uids':2}"));
        assertThat(backend.ok("push", j("{'all':true,'uid':'x','groups':['g1','g2'],'data':'all'}")))
                .isEqualTo(j("{'connections':3,'uids':2}"));

        String fence = fence(backend);
        for (WebSocketRecorder client : List.of(x1, x2, y)) {
            assertThat(until(client, fence)).containsExactly("once", "all");
        }
    }

    static Stream<Arguments> payloads() {
        List<Arguments> cases = new ArrayList<>();
        for (Adapter adapter : Adapter.values()) {
            cases.add(argumentSet(adapter + ": a string as its text", adapter, "\"88% done\"", "88% done"));
            cases.add(argumentSet(adapter + ": string escapes decoded", adapter, "\"a\\\"b\\u00e9\\n\"", "a\"bé\n"));
            cases.add(argumentSet(adapter + ": the empty string", adapter, "\"\"", ""));
            cases.add(argumentSet(
                    adapter + ": an object byte for byte",
                    adapter,
                    "{ \"percent\" : \"88%\",\"e\":\"\\u00e9\" }",
                    "{ \"percent\" : \"88%\",\"e\":\"\\u00e9\" }"));
            cases.add(argumentSet(adapter + ": an array", adapter, "[1, 2,3 ]", "[1, 2,3 ]"));
            cases.add(argumentSet(adapter + ": a number as written", adapter, "-1.50e3", "-1.50e3"));
            cases.add(argumentSet(adapter + ": a boolean", adapter, "true", "true"));
            cases.add(argumentSet(adapter + ": unicode in JSON", adapter, "{\"t\":\"进度 🚀\"}", "{\"t\":\"进度 🚀\"}"));
        }
        return cases.stream();
    }

    @ParameterizedTest
    @MethodSource("payloads")
    void payloadIsWhatTheClientSees(Adapter adapter, String data, String received) {
        Backend backend = backend(adapter);
        WebSocketRecorder a = client("a");
        backend.ok("join", j("{'group':'g','uid':'a'}"));
        backend.ok("push", "{\"uid\":\"a\",\"data\":" + data + "}");
        backend.ok("push", "{\"data\":" + data + ",\"groups\":[\"g\"]}");
        backend.ok("push", "[{\"uid\":\"nobody\",\"data\":1},{\"uid\":\"a\",\"data\":" + data + "}]");
        backend.ok("broadcast", "{\"data\":" + data + "}");

        String fence = fence(backend);
        assertThat(until(a, fence)).containsExactly(received, received, received, received);
    }

    @ParameterizedTest
    @EnumSource
    void batchResultsInOrder(Adapter adapter) {
        Backend backend = backend(adapter);
        WebSocketRecorder a = client("a");
        WebSocketRecorder b = client("b");
        backend.ok("join", j("{'group':'g','uids':['a','b']}"));

        assertThat(backend.ok(
                        "push", j("[{'uid':'a','data':'1'},{'uid':'nobody','data':'2'},{'group':'g','data':'3'}]")))
                .isEqualTo(j("{'results':[{'connections':1,'uids':1},{'connections':0,'uids':0},"
                        + "{'connections':2,'uids':2}]}"));
        assertThat(backend.ok("push", j("[{'uid':'b','data':'only'}]")))
                .isEqualTo(j("{'results':[{'connections':1,'uids':1}]}"));

        String fence = fence(backend);
        assertThat(until(a, fence)).containsExactly("1", "3");
        assertThat(until(b, fence)).containsExactly("3", "only");
    }

    // --- queries --------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource
    void onlineOneAndMany(Adapter adapter) {
        Backend backend = backend(adapter);
        client("a");
        client("42");
        assertThat(backend.ok("online", j("{'uid':'a'}"))).isEqualTo(j("{'online':{'a':true}}"));
        assertThat(backend.ok("online", j("{'uid':'b'}"))).isEqualTo(j("{'online':{'b':false}}"));
        assertThat(backend.ok("online", j("{'uids':['zed','a','b',42]}")))
                .as("in the order asked")
                .isEqualTo(j("{'online':{'zed':false,'a':true,'b':false,'42':true}}"));
    }

    @ParameterizedTest
    @EnumSource
    void uidsPageWithACursor(Adapter adapter) {
        Backend backend = backend(adapter);
        for (String uid : List.of("u4", "u2", "u5", "u1", "u3")) {
            client(uid);
        }
        WebSocketRecorder second = client("u3"); // a second connection lists its uid once

        assertThat(backend.ok("uids", j("{'limit':2}"))).isEqualTo(j("{'uids':['u1','u2'],'next':'u2'}"));
        assertThat(backend.ok("uids", j("{'after':'u2','limit':2}"))).isEqualTo(j("{'uids':['u3','u4'],'next':'u4'}"));
        assertThat(backend.ok("uids", j("{'after':'u4','limit':2}"))).isEqualTo(j("{'uids':['u5'],'next':null}"));
        assertThat(backend.ok("uids", null)).isEqualTo(j("{'uids':['u1','u2','u3','u4','u5'],'next':null}"));
        assertThat(backend.ok("uids", j("{'after':'u5'}"))).isEqualTo(j("{'uids':[],'next':null}"));
        assertThat(backend.ok("uids", j("{'after':'u0','limit':5}")))
                .as("a full last page still ends with null")
                .isEqualTo(j("{'uids':['u1','u2','u3','u4','u5'],'next':null}"));

        disconnect(second, "u3");
        assertThat(backend.ok("uids", j("{'after':'u2','limit':1}")))
                .as("u3 has another connection")
                .isEqualTo(j("{'uids':['u3'],'next':'u3'}"));
    }

    @ParameterizedTest
    @EnumSource
    void groupsPageWithACursor(Adapter adapter) {
        Backend backend = backend(adapter);
        assertThat(backend.ok("groups", null)).isEqualTo(j("{'groups':[],'next':null}"));
        for (String group : List.of("room:c", "room:a", "room:b")) {
            backend.ok("join", j("{'group':'" + group + "','uid':'offline'}"));
        }
        assertThat(backend.ok("groups", j("{'limit':2}")))
                .isEqualTo(j("{'groups':['room:a','room:b'],'next':'room:b'}"));
        assertThat(backend.ok("groups", j("{'after':'room:b','limit':2}")))
                .isEqualTo(j("{'groups':['room:c'],'next':null}"));
        assertThat(backend.ok("groups", j("{}"))).isEqualTo(j("{'groups':['room:a','room:b','room:c'],'next':null}"));
    }

    @ParameterizedTest
    @EnumSource
    void countGlobalAndPerGroup(Adapter adapter) {
        Backend backend = backend(adapter);
        assertThat(backend.ok("count", null)).isEqualTo(j("{'connections':0,'uids':0,'groups':0}"));
        client("a");
        client("b");
        client("b");
        closeables.add(WebSocketRecorder.connect(TestServer.ws(server))); // open, not bound
        await().until(() -> server.hub().connectionCount() == 4);
        backend.ok("join", j("{'group':'g','uids':['a','x']}"));
        backend.ok("join", j("{'group':'h','uid':'b'}"));

        assertThat(backend.ok("count", null)).isEqualTo(j("{'connections':4,'uids':2,'groups':2}"));
        assertThat(backend.ok("count", j("{}"))).isEqualTo(j("{'connections':4,'uids':2,'groups':2}"));
        assertThat(backend.ok("count", j("{'group':'g'}"))).isEqualTo(j("{'group':'g','members':2,'online':1}"));
        assertThat(backend.ok("count", j("{'group':'h'}"))).isEqualTo(j("{'group':'h','members':1,'online':1}"));
        assertThat(backend.ok("count", j("{'group':'none'}"))).isEqualTo(j("{'group':'none','members':0,'online':0}"));
    }

    @ParameterizedTest
    @EnumSource
    void membersPageWithACursorOnlineOrNot(Adapter adapter) {
        Backend backend = backend(adapter);
        backend.ok("join", j("{'group':'g','uids':['m3','m1','m2']}"));
        client("m2");

        assertThat(backend.ok("members", j("{'group':'g','limit':2}")))
                .isEqualTo(j("{'group':'g','members':['m1','m2'],'next':'m2'}"));
        assertThat(backend.ok("members", j("{'group':'g','after':'m2','limit':2}")))
                .isEqualTo(j("{'group':'g','members':['m3'],'next':null}"));
        assertThat(backend.ok("members", j("{'group':'g'}")))
                .isEqualTo(j("{'group':'g','members':['m1','m2','m3'],'next':null}"));
        assertThat(backend.ok("members", j("{'group':'none'}")))
                .isEqualTo(j("{'group':'none','members':[],'next':null}"));
    }

    // --- membership -----------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource
    void joinAndLeaveCountChanges(Adapter adapter) {
        Backend backend = backend(adapter);
        assertThat(backend.ok("join", j("{'group':'g','uids':['a','b']}"))).isEqualTo(j("{'group':'g','added':2}"));
        assertThat(backend.ok("join", j("{'group':'g','uid':'b'}"))).isEqualTo(j("{'group':'g','added':0}"));
        assertThat(backend.ok("join", j("{'group':'g','uids':['b','c','c']}"))).isEqualTo(j("{'group':'g','added':1}"));
        assertThat(backend.ok("leave", j("{'group':'g','uids':['a','z']}"))).isEqualTo(j("{'group':'g','removed':1}"));
        assertThat(backend.ok("leave", j("{'group':'missing','uid':'b'}")))
                .isEqualTo(j("{'group':'missing','removed':0}"));
        assertThat(backend.ok("members", j("{'group':'g'}")))
                .isEqualTo(j("{'group':'g','members':['b','c'],'next':null}"));

        assertThat(backend.ok("leave", j("{'group':'g','uids':['b','c']}"))).isEqualTo(j("{'group':'g','removed':2}"));
        assertThat(backend.ok("groups", null))
                .as("a group without members disappears")
                .isEqualTo(j("{'groups':[],'next':null}"));
        assertThat(backend.ok("count", null)).isEqualTo(j("{'connections':0,'uids':0,'groups':0}"));
    }

    @ParameterizedTest
    @EnumSource
    void membershipCoversLaterConnectionsAndSurvivesDisconnects(Adapter adapter) {
        Backend backend = backend(adapter);
        backend.ok("join", j("{'group':'g','uid':'a'}"));
        assertThat(backend.ok("push", j("{'group':'g','data':'nobody home'}")))
                .isEqualTo(j("{'connections':0,'uids':0}"));

        WebSocketRecorder first = client("a");
        assertThat(backend.ok("push", j("{'group':'g','data':'1'}"))).isEqualTo(j("{'connections':1,'uids':1}"));
        assertThat(first.awaitMessage()).isEqualTo("1");
        disconnect(first, "a");
        assertThat(backend.ok("count", j("{'group':'g'}"))).isEqualTo(j("{'group':'g','members':1,'online':0}"));
        assertThat(backend.ok("members", j("{'group':'g'}"))).isEqualTo(j("{'group':'g','members':['a'],'next':null}"));

        WebSocketRecorder second = client("a");
        WebSocketRecorder third = client("a");
        assertThat(backend.ok("push", j("{'group':'g','data':'2'}"))).isEqualTo(j("{'connections':2,'uids':1}"));
        backend.ok("leave", j("{'group':'g','uid':'a'}"));
        assertThat(backend.ok("push", j("{'group':'g','data':'3'}"))).isEqualTo(j("{'connections':0,'uids':0}"));

        String fence = fence(backend);
        assertThat(until(second, fence)).containsExactly("2");
        assertThat(until(third, fence)).containsExactly("2");
    }

    /**
     * Uids join and leave while their clients connect and disconnect: after every change, a group push
     * reaches exactly the connections of the members that are connected then, and the reply counts them.
     */
    @ParameterizedTest
    @EnumSource
    void groupPushesFollowMembershipWhileClientsComeAndGo(Adapter adapter) {
        Backend backend = backend(adapter);
        List<String> uids = List.of("u0", "u1", "u2", "u3", "n0", "n1");
        backend.ok("join", j("{'group':'g','uids':['u0','u1','u2','u3']}"));
        List<String> members = new ArrayList<>(List.of("u0", "u1", "u2", "u3"));
        Map<WebSocketRecorder, String> connected = new LinkedHashMap<>();
        Random random = new Random(42);

        for (int round = 0; round < 24; round++) {
            int action = random.nextInt(5);
            String uid = uids.get(random.nextInt(uids.size()));
            if (action <= 1 || connected.isEmpty()) {
                connected.put(client(uid), uid);
            } else if (action == 2) {
                WebSocketRecorder gone = List.copyOf(connected.keySet()).get(random.nextInt(connected.size()));
                disconnect(gone, connected.remove(gone));
            } else if (action == 3 && !members.contains(uid)) {
                backend.ok("join", j("{'group':'g','uid':'" + uid + "'}"));
                members.add(uid);
            } else if (action == 4 && members.contains(uid)) {
                backend.ok("leave", j("{'group':'g','uid':'" + uid + "'}"));
                members.remove(uid);
            }

            int at = round;
            String message = "round-" + round;
            long reached = connected.values().stream().filter(members::contains).count();
            long reachedUids = connected.values().stream()
                    .filter(members::contains)
                    .distinct()
                    .count();
            assertThat(backend.ok("push", j("{'group':'g','data':'" + message + "'}")))
                    .as("round %d, members %s, connected %s", round, members, connected.values())
                    .isEqualTo(j("{'connections':" + reached + ",'uids':" + reachedUids + "}"));
            String fence = fence(backend);
            connected.forEach((client, owner) -> assertThat(until(client, fence))
                    .as("%s in round %d", owner, at)
                    .isEqualTo(members.contains(owner) ? List.of(message) : List.of()));
        }
    }

    // --- kick and stats -------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource
    void kickByUidClosesEveryConnectionWith4501AndTheReason(Adapter adapter) {
        Backend backend = backend(adapter);
        WebSocketRecorder a1 = client("a");
        WebSocketRecorder a2 = client("a");
        WebSocketRecorder b = client("b");

        assertThat(backend.ok("kick", j("{'uid':'a','reason':'logged out'}"))).isEqualTo(j("{'closed':2}"));
        assertThat(a1.awaitClose()).isEqualTo(new Close(4501, "logged out"));
        assertThat(a2.awaitClose()).isEqualTo(new Close(4501, "logged out"));
        await().until(() -> !server.hub().isOnline("a"));
        assertThat(backend.ok("kick", j("{'uid':'a'}"))).isEqualTo(j("{'closed':0}"));

        assertThat(backend.ok("push", j("{'uid':'b','data':'still here'}"))).isEqualTo(j("{'connections':1,'uids':1}"));
        assertThat(b.awaitMessage()).isEqualTo("still here");
        assertThat(backend.ok("kick", j("{'uid':'b'}"))).isEqualTo(j("{'closed':1}"));
        assertThat(b.awaitClose()).as("the default reason").isEqualTo(new Close(4501, "kicked"));
    }

    @ParameterizedTest
    @EnumSource
    void kickByConnectionClosesOnlyThatOne(Adapter adapter) {
        Backend backend = backend(adapter);
        WebSocketRecorder a1 = client("a");
        WebSocketRecorder a2 = client("a");
        List<String> ids = ids(backend, "a");

        assertThat(backend.ok("kick", j("{'connection':'" + ids.get(1) + "','reason':'one tab too many'}")))
                .isEqualTo(j("{'closed':1}"));
        assertThat(a2.awaitClose()).isEqualTo(new Close(4501, "one tab too many"));
        await().until(() -> server.hub().sessionsOf("a").size() == 1);
        assertThat(ids(backend, "a")).containsExactly(ids.get(0));
        assertThat(backend.ok("kick", j("{'connection':'" + ids.get(1) + "'}"))).isEqualTo(j("{'closed':0}"));
        assertThat(backend.ok("kick", j("{'connection':'0" + ids.get(0) + "'}")))
                .as("an id is matched exactly, as in an exclusion")
                .isEqualTo(j("{'closed':0}"));

        assertThat(backend.ok("push", j("{'uid':'a','data':'still here'}"))).isEqualTo(j("{'connections':1,'uids':1}"));
        assertThat(a1.awaitMessage()).isEqualTo("still here");
    }

    @ParameterizedTest
    @EnumSource
    void statsCountWhatHappened(Adapter adapter) {
        Backend backend = backend(adapter);
        WebSocketRecorder a1 = client("a");
        WebSocketRecorder a2 = client("a");
        backend.ok("join", j("{'group':'g','uid':'a'}"));
        backend.ok("push", j("{'group':'g','data':'counted'}"));
        assertThat(a1.awaitMessage()).isEqualTo("counted");
        assertThat(a2.awaitMessage()).isEqualTo("counted");

        JsonNode stats = parse(backend.ok("stats", null));
        assertThat(stats.get("state").asText()).isEqualTo("running");
        assertThat(stats.get("engine").asText()).isEqualTo("memory");
        assertThat(stats.get("connections").asLong()).isEqualTo(2);
        assertThat(stats.get("uids").asLong()).isEqualTo(1);
        assertThat(stats.get("groups").asLong()).isEqualTo(1);
        assertThat(stats.get("pushes").asLong()).isEqualTo(1);
        assertThat(stats.get("deliveries").asLong()).isEqualTo(2);
        assertThat(stats.get("deliveredBytes").asLong()).isEqualTo(2 * "counted".length());
        assertThat(stats.get("framesReceived").asLong()).as("the two uids").isEqualTo(2);
        if (adapter == Adapter.TEXT_PORT) {
            assertThat(stats.get("text").get("lines").asLong()).isEqualTo(3);
            assertThat(stats.get("backendConnections").asLong()).isEqualTo(1);
        } else {
            assertThat(stats.get("http").get("requests").asLong()).isEqualTo(3);
        }
        assertThat(parse(backend.ok("stats", j("{}"))).get("pushes").asLong()).isEqualTo(1);
    }

    // --- errors ---------------------------------------------------------------------------------

    /** A refused command: the parameters as bytes, the error code and field the reply must name. */
    record Refusal(String verb, byte[] params, String code, String field) {
        static Refusal of(String verb, String params, String code, String field) {
            return new Refusal(verb, params == null ? null : j(params).getBytes(StandardCharsets.UTF_8), code, field);
        }
    }

    static Map<String, Refusal> refusals() {
        Map<String, Refusal> cases = new LinkedHashMap<>();
        cases.put("not JSON", Refusal.of("push", "{'uid':'a',", "invalid_json", null));
        cases.put("not an object", Refusal.of("online", "['a']", "invalid_json", null));
        cases.put("a string for push", Refusal.of("push", "'a'", "invalid_json", null));
        cases.put("content after the JSON", Refusal.of("count", "{} {}", "invalid_json", null));
        cases.put(
                "parameters that are not UTF-8",
                new Refusal(
                        "push",
                        new byte[] {'{', '"', 'u', 'i', 'd', '"', ':', '"', (byte) 0xFF, '"', '}'},
                        "invalid_json",
                        null));
        cases.put("push without data", Refusal.of("push", "{'uid':'a'}", "missing_field", "data"));
        cases.put("push without parameters", Refusal.of("push", null, "missing_field", "data"));
        cases.put("push without a target", Refusal.of("push", "{'data':1}", "missing_field", "uids"));
        cases.put("all false is no target", Refusal.of("push", "{'all':false,'data':1}", "missing_field", "uids"));
        cases.put(
                "batch item without data",
                Refusal.of("push", "[{'uid':'a','data':1},{'uid':'a'}]", "missing_field", "[1].data"));
        cases.put("members without group", Refusal.of("members", "{'limit':2}", "missing_field", "group"));
        cases.put("join without group", Refusal.of("join", "{'uids':['a']}", "missing_field", "group"));
        cases.put("leave without uids", Refusal.of("leave", "{'group':'g'}", "missing_field", "uids"));
        cases.put("kick without target", Refusal.of("kick", "{'reason':'x'}", "missing_field", "uid"));
        cases.put("online without uids", Refusal.of("online", "{}", "missing_field", "uids"));
        cases.put("connections without uid", Refusal.of("connections", null, "missing_field", "uid"));
        cases.put("empty uid", Refusal.of("push", "{'uids':['a',''],'data':1}", "invalid_field", "uids[1]"));
        cases.put("uid too long", Refusal.of("online", "{'uid':'" + "u".repeat(129) + "'}", "invalid_field", "uid"));
        cases.put(
                "group with a space",
                Refusal.of("push", "{'groups':['ok','has space'],'data':1}", "invalid_field", "groups[1]"));
        cases.put(
                "group too long",
                Refusal.of("join", "{'group':'" + "g".repeat(129) + "','uid':'a'}", "invalid_field", "group"));
        cases.put("null data", Refusal.of("push", "{'uid':'a','data':null}", "invalid_field", "data"));
        cases.put("uids not an array", Refusal.of("push", "{'uids':'a','data':1}", "invalid_field", "uids"));
        cases.put(
                "excluded uid empty",
                Refusal.of("broadcast", "{'data':1,'exclude':{'uids':['']}}", "invalid_field", "exclude.uids[0]"));
        cases.put(
                "bad item in a batch",
                Refusal.of("push", "[{'uid':'a','data':1},{'uids':[true],'data':1}]", "invalid_field", "[1].uids[0]"));
        cases.put("limit zero", Refusal.of("uids", "{'limit':0}", "invalid_field", "limit"));
        cases.put("limit over api.max-page", Refusal.of("groups", "{'limit':1001}", "invalid_field", "limit"));
        cases.put("after not a string", Refusal.of("members", "{'group':'g','after':1}", "invalid_field", "after"));
        cases.put(
                "kick uid and connection",
                Refusal.of("kick", "{'uid':'a','connection':'1'}", "invalid_field", "connection"));
        cases.put(
                "kick reason too long",
                Refusal.of("kick", "{'uid':'a','reason':'" + "r".repeat(124) + "'}", "invalid_field", "reason"));
        cases.put("unknown field", Refusal.of("push", "{'uid':'a','data':1,'grup':'g'}", "unknown_field", "grup"));
        cases.put(
                "unknown exclusion",
                Refusal.of("push", "{'uid':'a','data':1,'exclude':{'uid':'b'}}", "unknown_field", "exclude.uid"));
        cases.put(
                "broadcast takes no target",
                Refusal.of("broadcast", "{'uids':['a'],'data':1}", "unknown_field", "uids"));
        cases.put("stats takes nothing", Refusal.of("stats", "{'x':1}", "unknown_field", "x"));
        cases.put("uids for connections", Refusal.of("connections", "{'uids':['a']}", "unknown_field", "uids"));
        cases.put(
                "batch over api.max-batch",
                Refusal.of(
                        "push",
                        "[{'uid':'a','data':1},{'uid':'a','data':2},{'uid':'a','data':3},{'uid':'a','data':4}]",
                        "too_many",
                        null));
        return cases;
    }

    static Stream<Arguments> refusalsOnBothAdapters() {
        List<Arguments> cases = new ArrayList<>();
        for (Adapter adapter : Adapter.values()) {
            refusals().forEach((name, refusal) -> cases.add(argumentSet(adapter + ": " + name, adapter, refusal)));
        }
        return cases.stream();
    }

    /**
     * Each refusal names its code and field, pushes nothing (a batch is validated as a whole), and
     * leaves the backend connection usable.
     */
    @ParameterizedTest
    @MethodSource("refusalsOnBothAdapters")
    void refusalsNameTheCodeAndFieldAndChangeNothing(Adapter adapter, Refusal refusal) {
        Backend backend = backend(adapter);
        WebSocketRecorder a = client("a");

        JsonNode error =
                parse(backend.call(400, refusal.verb(), refusal.params())).get("error");
        assertThat(error).as("an error reply").isNotNull();
        assertThat(error.get("code").asText()).isEqualTo(refusal.code());
        if (refusal.field() == null) {
            assertThat(error.has("field")).as("no field").isFalse();
        } else {
            assertThat(error.get("field").asText()).isEqualTo(refusal.field());
            assertThat(error.get("message").asText()).startsWith(refusal.field() + ": ");
        }
        assertThat(error.get("message").asText()).isNotBlank();

        assertThat(backend.ok("count", null))
                .as("the connection stays usable")
                .isEqualTo(j("{'connections':1,'uids':1,'groups':0}"));
        assertThat(until(a, fence(backend))).as("nothing was pushed").isEmpty();
    }

    @Test
    void refusalsAreTheSameBytesOnBothAdapters() {
        Backend text = backend(Adapter.TEXT_PORT);
        Backend http = backend(Adapter.HTTP);
        refusals()
                .forEach((name, refusal) -> assertThat(text.call(400, refusal.verb(), refusal.params()))
                        .as(name)
                        .isEqualTo(http.call(400, refusal.verb(), refusal.params())));
    }

    static Stream<Arguments> httpRefusals() {
        return Stream.of(
                argumentSet("no such command", "POST", "/api/nope", "application/json", "{}", 404, "not_found", null),
                argumentSet(
                        "verbs are lower case", "POST", "/api/PUSH", "application/json", "{}", 404, "not_found", null),
                argumentSet("a command is a POST", "GET", "/api/count", null, null, 405, "method_not_allowed", "POST"),
                argumentSet(
                        "a body that is not JSON",
                        "POST",
                        "/api/count",
                        "text/plain",
                        "{}",
                        415,
                        "unsupported_media_type",
                        null),
                argumentSet(
                        "a body over http.max-body-bytes",
                        "POST",
                        "/api/push",
                        "application/json",
                        "{\"uid\":\"a\",\"data\":\"" + "x".repeat(2000) + "\"}",
                        413,
                        "too_large",
                        null),
                argumentSet(
                        "no API key", "POST", "/api/count", "application/json", "{}", 401, "unauthorized", "Bearer"));
    }

    /** The errors only HTTP has, with their statuses and the header each names ({@code Allow}, {@code WWW-Authenticate}). */
    @ParameterizedTest
    @MethodSource("httpRefusals")
    void httpOnlyRefusals(
            String method, String path, String contentType, String body, int status, String code, String header) {
        server.stop();
        server = TestServer.start(
                "http.max-body-bytes", "1024", "http.api-keys", "key-one-0123456789,key-two-0123456789");
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.httpAddress().getPort() + path))
                .timeout(WebSocketRecorder.TIMEOUT)
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (status != 401) {
            request.header("Authorization", "Bearer key-two-0123456789");
        }
        HttpResponse<String> response = send(request);
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(parse(response.body()).get("error").get("code").asText()).isEqualTo(code);
        if (status == 405) {
            assertThat(response.headers().firstValue("Allow")).hasValue(header);
        }
        if (status == 401) {
            assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue(header);
        }
        HttpResponse<String> authorized = send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.httpAddress().getPort() + "/api/count"))
                .timeout(WebSocketRecorder.TIMEOUT)
                .header("Authorization", "Bearer key-one-0123456789")
                .POST(BodyPublishers.noBody()));
        assertThat(authorized.statusCode()).isEqualTo(200);
        assertThat(authorized.body()).isEqualTo(j("{'connections':0,'uids':0,'groups':0}"));
    }
}
