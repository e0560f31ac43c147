package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testkit.TextPortClient;
import dev.herald.testkit.WebSocketRecorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The seed's wire contract, end to end: WebSocket bind by first frame, Text-port push with ok/fail. */
class SeedCompatibilityIT {

    private static final String SEED_LINE = "{\"uid\":\"uid1\",\"percent\":\"88%\"}";

    private HeraldServer server;

    @BeforeEach
    void start() {
        server = TestServer.start();
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private WebSocketRecorder bind(String uid) {
        WebSocketRecorder client = WebSocketRecorder.bind(TestServer.ws(server), uid);
        await().until(() -> server.hub().isOnline(uid));
        return client;
    }

    @Test
    void theSeedsPushReachesTheBoundPageUnchanged() {
        try (WebSocketRecorder page = bind("uid1");
                TextPortClient php = TextPortClient.connect(server.textAddress())) {
            assertThat(php.request(SEED_LINE)).isEqualTo("ok");
            assertThat(page.awaitMessage()).isEqualTo(SEED_LINE);
        }
    }

    @Test
    void offlineUidFails() {
        try (TextPortClient php = TextPortClient.connect(server.textAddress())) {
            assertThat(php.request("{\"uid\":\"nobody\",\"x\":1}")).isEqualTo("fail");
        }
    }

    @Test
    void everyConnectionOfAUidReceives() {
        try (WebSocketRecorder tab1 = bind("u");
                WebSocketRecorder tab2 = WebSocketRecorder.bind(TestServer.ws(server), "u");
                TextPortClient php = TextPortClient.connect(server.textAddress())) {
            await().until(() -> server.hub().sessionsOf("u").size() == 2);
            assertThat(php.request("{\"uid\":\"u\",\"n\":1}")).isEqualTo("ok");
            assertThat(tab1.awaitMessage()).isEqualTo("{\"uid\":\"u\",\"n\":1}");
            assertThat(tab2.awaitMessage()).isEqualTo("{\"uid\":\"u\",\"n\":1}");
        }
    }

    @Test
    void closingAnOldTabLeavesTheNewerOneBound() {
        WebSocketRecorder oldTab = bind("u");
        try (WebSocketRecorder newTab = WebSocketRecorder.bind(TestServer.ws(server), "u");
                TextPortClient php = TextPortClient.connect(server.textAddress())) {
            await().until(() -> server.hub().sessionsOf("u").size() == 2);
            oldTab.close();
            await().until(() -> server.hub().sessionsOf("u").size() == 1);
            assertThat(php.request("{\"uid\":\"u\"}")).isEqualTo("ok");
            assertThat(newTab.awaitMessage()).isEqualTo("{\"uid\":\"u\"}");
        }
    }

    @Test
    void pipelinedLinesAreAnsweredInOrder() {
        try (WebSocketRecorder page = bind("a");
                TextPortClient php = TextPortClient.connect(server.textAddress())) {
            php.write("{\"uid\":\"a\",\"n\":1}\n{\"uid\":\"b\"}\nnot json\n{\"uid\":\"a\",\"n\":2}\r\n"
                    + "{\"uid\":\"a\",\"n\":3}\r\r\n");
            assertThat(php.readLine()).isEqualTo("ok");
            assertThat(php.readLine()).isEqualTo("fail");
            assertThat(php.readLine()).startsWith("error invalid_json");
            assertThat(php.readLine()).isEqualTo("ok");
            assertThat(php.readLine()).isEqualTo("ok");
            assertThat(page.awaitMessage()).isEqualTo("{\"uid\":\"a\",\"n\":1}");
            assertThat(page.awaitMessage()).as("CRLF stripped").isEqualTo("{\"uid\":\"a\",\"n\":2}");
            assertThat(page.awaitMessage()).as("every CR stripped").isEqualTo("{\"uid\":\"a\",\"n\":3}");
        }
    }

    @Test
    void aLineSplitAcrossSegmentsIsOneLine() throws Exception {
        try (WebSocketRecorder page = bind("split");
                TextPortClient php = TextPortClient.connect(server.textAddress())) {
            php.write("{\"uid\":\"spl");
            // Likely, not certain, to make the first part a segment of its own: BackendCommandHandlerTest
            // splits the line for certain. Either way it is one line.
            Thread.sleep(50);
            php.write("it\",\"v\":\"进度\"}");
            php.write("\n");
            assertThat(php.readLine()).isEqualTo("ok");
            assertThat(page.awaitMessage()).isEqualTo("{\"uid\":\"split\",\"v\":\"进度\"}");
        }
    }

    @Test
    void framesAfterTheBindAreIgnoredAndCounted() {
        try (WebSocketRecorder page = bind("u");
                TextPortClient php = TextPortClient.connect(server.textAddress())) {
            page.send("other-uid").send("hello");
            await().until(() -> server.stats().get("framesIgnored").equals(2L));
            assertThat(server.hub().isOnline("other-uid")).isFalse();
            assertThat(php.request("{\"uid\":\"u\"}")).isEqualTo("ok");
            assertThat(page.awaitMessage()).isEqualTo("{\"uid\":\"u\"}");
        }
    }
}
