package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import dev.herald.testkit.TextPortClient;
import dev.herald.testkit.WebSocketRecorder;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Clients joining and leaving groups themselves ({@code websocket.client-groups}): with it on, a bound
 * client's {@code join <group>} / {@code leave <group>} changes its uid's membership, silently on
 * success and with a JSON error message for an invalid name; with it off (the default), such messages
 * are ignored like any other after the bind.
 */
class ClientGroupsIT {

    private HeraldServer server;
    private TextPortClient backend;

    @AfterEach
    void stop() {
        if (backend != null) {
            backend.close();
        }
        server.stop();
    }

    private void start(String... keyValues) {
        server = TestServer.start(keyValues);
        backend = TextPortClient.connect(server.textAddress());
    }

    private long framesIgnored() {
        return (Long) server.stats().get("framesIgnored");
    }

    private String pushToGroup(String group, String data) {
        return backend.request("push {\"group\":\"" + group + "\",\"data\":\"" + data + "\"}");
    }

    @Test
    void aClientJoinsAndLeavesForItsUid() {
        start("websocket.client-groups", "true");
        WebSocketRecorder first = WebSocketTestSupport.bind(server, "alice");
        WebSocketRecorder second = WebSocketTestSupport.bind(server, "alice");
        long ignored = framesIgnored();

        first.send("join room:42");
        await().until(() -> server.hub().isMember("room:42", "alice"));
        assertThat(backend.request("members {\"group\":\"room:42\"}"))
                .isEqualTo("{\"group\":\"room:42\",\"members\":[\"alice\"],\"next\":null}");
        assertThat(pushToGroup("room:42", "hello room"))
                .as("membership is the uid's: both connections")
                .isEqualTo("{\"connections\":2,\"uids\":1}");
        assertThat(first.awaitMessage())
                .as("no answer to the join, then the push")
                .isEqualTo("hello room");
        assertThat(second.awaitMessage()).isEqualTo("hello room");

        second.send("leave room:42");
        await().until(() -> !server.hub().isMember("room:42", "alice"));
        assertThat(pushToGroup("room:42", "gone")).isEqualTo("{\"connections\":0,\"uids\":0}");
        assertThat(backend.request("groups")).isEqualTo("{\"groups\":[],\"next\":null}");
        assertThat(framesIgnored()).as("requests are not ignored frames").isEqualTo(ignored);

        second.send("leave room:42");
        first.send("join room:7");
        await().until(() -> server.hub().isMember("room:7", "alice"));
        assertThat(pushToGroup("room:7", "leaving twice is fine")).isEqualTo("{\"connections\":2,\"uids\":1}");
        assertThat(first.awaitMessage()).isEqualTo("leaving twice is fine");
        assertThat(second.awaitMessage()).isEqualTo("leaving twice is fine");
        first.assertNoMoreMessages();
        second.assertNoMoreMessages();
    }

    @Test
    void aJoinOutlivesTheConnectionThatMadeIt() {
        start("websocket.client-groups", "true");
        WebSocketRecorder client = WebSocketTestSupport.bind(server, "bob");
        client.send("join news");
        await().until(() -> server.hub().isMember("news", "bob"));
        client.close();
        await().until(() -> !server.hub().isOnline("bob"));

        WebSocketRecorder later = WebSocketTestSupport.bind(server, "bob");
        assertThat(pushToGroup("news", "still a member")).isEqualTo("{\"connections\":1,\"uids\":1}");
        assertThat(later.awaitMessage()).isEqualTo("still a member");
    }

    static Stream<Arguments> invalidNames() {
        return Stream.of(
                argumentSet("a name with a space", "join a b", "group name contains whitespace or a control character"),
                argumentSet("a tab", "leave a\tb", "group name contains whitespace or a control character"),
                argumentSet("join alone", "join", "empty group name"),
                argumentSet("join and a space", "join ", "empty group name"),
                argumentSet("leave alone", "leave", "empty group name"),
                argumentSet("over api.max-group-bytes", "join 123456789", "group name longer than 8 bytes"),
                argumentSet("over the limit in UTF-8 bytes", "join 进度进", "group name longer than 8 bytes"));
    }

    /** An invalid name is answered with one text message, the JSON error a backend would get; the connection stays. */
    @ParameterizedTest
    @MethodSource("invalidNames")
    void anInvalidNameIsAnsweredWithTheJsonError(String request, String violation) {
        start("websocket.client-groups", "true", "api.max-group-bytes", "8");
        WebSocketRecorder client = WebSocketTestSupport.bind(server, "carol");

        client.send(request);
        assertThat(client.awaitMessage())
                .isEqualTo("{\"error\":{\"code\":\"invalid_field\",\"message\":\"group: " + violation
                        + "\",\"field\":\"group\"}}");
        assertThat(server.hub().groupCount()).isZero();

        client.send("join 12345678");
        await().until(() -> server.hub().isMember("12345678", "carol"));
        assertThat(pushToGroup("12345678", "still served")).isEqualTo("{\"connections\":1,\"uids\":1}");
        assertThat(client.awaitMessage()).isEqualTo("still served");
    }

    @Test
    void otherMessagesAreStillIgnoredAndCounted() {
        start("websocket.client-groups", "true");
        WebSocketRecorder client = WebSocketTestSupport.bind(server, "dave");
        long ignored = framesIgnored();

        client.send("hello");
        client.send("joined g");
        client.send("JOIN g");
        client.sendBinary("join g".getBytes(StandardCharsets.UTF_8));
        client.send("join g");
        await().until(() -> server.hub().isMember("g", "dave"));
        assertThat(framesIgnored()).as("four ignored, the join not").isEqualTo(ignored + 4);
        assertThat(server.hub().groupCount()).isEqualTo(1);
        client.assertNoMoreMessages();
    }

    @Test
    void theFirstMessageIsAlwaysTheUid() {
        start("websocket.client-groups", "true");
        WebSocketRecorder client = WebSocketTestSupport.bind(server, "join room");
        assertThat(server.hub().groupCount()).isZero();
        assertThat(backend.request("push {\"uid\":\"join room\",\"data\":\"bound\"}"))
                .isEqualTo("{\"connections\":1,\"uids\":1}");
        assertThat(client.awaitMessage()).isEqualTo("bound");
    }

    @Test
    void offByDefaultRequestsAreIgnoredLikeAnyMessage() {
        start();
        WebSocketRecorder client = WebSocketTestSupport.bind(server, "erin");
        long ignored = framesIgnored();

        client.send("join room");
        client.send("join has space");
        await().until(() -> framesIgnored() == ignored + 2);
        assertThat(server.hub().groupCount()).isZero();
        assertThat(backend.request("groups")).isEqualTo("{\"groups\":[],\"next\":null}");
        assertThat(backend.request("push {\"uid\":\"erin\",\"data\":\"no answer came before this\"}"))
                .isEqualTo("{\"connections\":1,\"uids\":1}");
        assertThat(client.awaitMessage()).isEqualTo("no answer came before this");
    }
}
