package dev.herald.netty.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import dev.herald.core.Hub;
import dev.herald.core.Pusher;
import dev.herald.core.engine.MemoryEngine;
import dev.herald.netty.backend.CommandExecutor;
import dev.herald.netty.backend.CommandReply;
import dev.herald.protocol.backend.CommandLimits;
import dev.herald.protocol.backend.CommandParser;
import dev.herald.protocol.backend.CommandReplies;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The HTTP pipeline on an {@link EmbeddedChannel}: answers in request order, whoever produces them. */
class HttpApiInitializerTest {

    private static final String KEY = "unit-key-0123456789abcdef";
    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.1 (\\d{3}) ");

    private final List<CompletableFuture<CommandReply>> reloads = new ArrayList<>();
    private final HttpStats stats = new HttpStats();
    private final EmbeddedChannel channel = new EmbeddedChannel(new HttpApiInitializer(services(), config(), stats));

    private HttpServices services() {
        Pusher pusher = new Pusher(new MemoryEngine(new Hub()));
        return new HttpServices(
                new CommandExecutor(pusher, Map::of),
                new CommandParser(CommandLimits.defaults()),
                Map::of,
                () -> true,
                () -> "",
                () -> {
                    CompletableFuture<CommandReply> reload = new CompletableFuture<>();
                    reloads.add(reload);
                    return reload;
                },
                () -> List.of(KEY));
    }

    private static HttpConfig config() {
        return new HttpConfig("127.0.0.1", 0, List.of(KEY), 1024);
    }

    private void write(String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    }

    /** The status codes of the answers written so far, in order. */
    private List<Integer> statuses() {
        channel.runPendingTasks();
        StringBuilder all = new StringBuilder();
        for (Object out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
            ByteBuf bytes = (ByteBuf) out;
            all.append(bytes.toString(StandardCharsets.ISO_8859_1));
            bytes.release();
        }
        List<Integer> statuses = new ArrayList<>();
        Matcher status = STATUS.matcher(all);
        while (status.find()) {
            statuses.add(Integer.parseInt(status.group(1)));
        }
        return statuses;
    }

    private static String request(String method, String path, String headers) {
        return method + " " + path + " HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer " + KEY + "\r\n" + headers + "\r\n";
    }

    @Test
    void answersTheAggregatorRefusesWaitBehindALateAnswer() {
        write(request("POST", "/admin/reload", "Content-Length: 0\r\n")
                + request("POST", "/api/push", "Content-Type: application/json\r\nContent-Length: 2000\r\n")
                + "x".repeat(2000)
                + request("POST", "/api/count", "Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n")
                + ("400\r\n" + "x".repeat(1024) + "\r\n").repeat(2)
                + "0\r\n\r\n"
                + request("GET", "/healthz", "Expect: tea\r\n"));
        assertThat(statuses()).as("nothing before the reload completes").isEmpty();

        reloads.get(0).complete(CommandReply.ok(CommandReplies.map(Map.of("reloaded", true))));

        assertThat(statuses()).containsExactly(200, 413, 413, 417);
        assertThat(stats.responses()).containsOnlyKeys(200, 413, 417);
    }

    @Test
    void aFailedReloadIsAnInternalErrorAndTheConnectionStays() {
        write(request("POST", "/admin/reload", "Content-Length: 0\r\n") + request("GET", "/healthz", ""));
        reloads.get(0).completeExceptionally(new IllegalStateException("no config file"));

        assertThat(statuses()).containsExactly(500, 200);
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void aRequestAfterConnectionCloseIsNotProcessed() {
        write(request("GET", "/healthz", "Connection: close\r\n")
                + request("POST", "/admin/reload", "Content-Length: 0\r\n"));

        assertThat(statuses()).containsExactly(200);
        assertThat(reloads).as("the reload after the close was not run").isEmpty();
        assertThat(channel.isActive()).isFalse();
    }

    static Stream<Arguments> contentTypes() {
        return Stream.of(
                argumentSet("plain", "application/json", true),
                argumentSet("any case", "Application/JSON", true),
                argumentSet("UTF-8", "application/json; charset=utf-8", true),
                argumentSet("quoted UTF-8", "application/json;charset=\"UTF-8\"", true),
                argumentSet("other parameter", "application/json; foo=bar", true),
                argumentSet("Latin-1", "application/json; charset=iso-8859-1", false),
                argumentSet("text", "text/plain", false),
                argumentSet("JSON suffix", "application/problem+json", false),
                argumentSet("prefix only", "application/jsonx", false),
                argumentSet("none", null, false));
    }

    @ParameterizedTest
    @MethodSource("contentTypes")
    void jsonIsApplicationJsonInUtf8(String contentType, boolean json) {
        assertThat(HttpApiHandler.isJson(contentType)).isEqualTo(json);
    }

    static Stream<Arguments> targets() {
        return Stream.of(
                argumentSet("origin form", "/api/push", "/api/push"),
                argumentSet("query ignored", "/api/push?x=1&y", "/api/push"),
                argumentSet("fragment ignored", "/healthz#top", "/healthz"),
                argumentSet("percent-decoded", "/api/p%75sh", "/api/push"),
                argumentSet("encoded slash stays in the path", "/api/push%2F", "/api/push/"),
                argumentSet("absolute form", "http://herald:5679/api/push?x", "/api/push"),
                argumentSet("absolute form without a path", "http://herald:5679", "/"),
                argumentSet("asterisk form", "*", "*"));
    }

    @ParameterizedTest
    @MethodSource("targets")
    void thePathOfARequestTarget(String target, String path) {
        assertThat(HttpApiHandler.path(target)).isEqualTo(path);
    }
}
