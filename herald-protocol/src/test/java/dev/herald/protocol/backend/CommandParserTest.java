package dev.herald.protocol.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.Kick;
import dev.herald.core.Target;
import dev.herald.protocol.backend.BackendCommand.Connections;
import dev.herald.protocol.backend.BackendCommand.Count;
import dev.herald.protocol.backend.BackendCommand.Join;
import dev.herald.protocol.backend.BackendCommand.KickConnections;
import dev.herald.protocol.backend.BackendCommand.Leave;
import dev.herald.protocol.backend.BackendCommand.ListGroups;
import dev.herald.protocol.backend.BackendCommand.ListUids;
import dev.herald.protocol.backend.BackendCommand.Members;
import dev.herald.protocol.backend.BackendCommand.Online;
import dev.herald.protocol.backend.BackendCommand.Push;
import dev.herald.protocol.backend.BackendCommand.Rejected;
import dev.herald.protocol.backend.BackendCommand.Stats;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CommandParserTest {

    private final BackendLineParser lines = new BackendLineParser(new CommandLimits(16, 16, 3, 50));

    private BackendCommand line(String text) {
        return lines.parse(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String data(BackendCommand command) {
        return new String(((Push) command).items().get(0).data(), StandardCharsets.UTF_8);
    }

    @Test
    void pushToUidsGroupsAndAllWithExclusions() {
        Push push = (Push) line("push {\"uids\":[\"a\",\"b\"],\"uid\":\"c\",\"groups\":[\"g\"],\"all\":false,"
                + "\"exclude\":{\"uids\":[\"x\"],\"connections\":[\"7\"]},\"data\":\"hi\"}");
        assertThat(push.batch()).isFalse();
        assertThat(push.items().get(0).target())
                .isEqualTo(new Target(Set.of("a", "b", "c"), Set.of("g"), false, Set.of("x"), Set.of("7")));
        assertThat(data(push)).isEqualTo("hi");
    }

    static Stream<Arguments> payloads() {
        return Stream.of(
                Arguments.of("a string is sent as its text", "\"88% done\"", "88% done"),
                Arguments.of("escapes are decoded in strings", "\"a\\\"b\\u00e9\"", "a\"bé"),
                Arguments.of(
                        "an object is sent as its JSON text, byte for byte",
                        "{ \"percent\" : \"88%\" }",
                        "{ \"percent\" : \"88%\" }"),
                Arguments.of("an array", "[1, 2,3]", "[1, 2,3]"),
                Arguments.of("a number", "42", "42"),
                Arguments.of("a boolean", "true", "true"),
                Arguments.of("unicode inside JSON", "{\"t\":\"进度\"}", "{\"t\":\"进度\"}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("payloads")
    void dataIsWhatClientsReceive(String name, String json, String received) {
        assertThat(data(line("push {\"uid\":\"a\",\"data\":" + json + "}"))).isEqualTo(received);
        assertThat(data(line("push {\"data\":" + json + ",\"uid\":\"a\"}")))
                .as("data first")
                .isEqualTo(received);
    }

    @Test
    void batchAndBroadcast() {
        Push batch = (Push) line("push [{\"uid\":\"a\",\"data\":1},{\"group\":\"g\",\"data\":{\"x\":2}}]");
        assertThat(batch.batch()).isTrue();
        assertThat(batch.items()).hasSize(2);
        assertThat(new String(batch.items().get(1).data(), StandardCharsets.UTF_8))
                .isEqualTo("{\"x\":2}");

        Push broadcast = (Push) line("broadcast {\"data\":\"all\",\"exclude\":{\"uids\":[\"a\"]}}");
        assertThat(broadcast.items().get(0).target())
                .isEqualTo(new Target(Set.of(), Set.of(), true, Set.of("a"), Set.of()));
    }

    @Test
    void queriesAndMembership() {
        assertThat(line("online {\"uid\":\"a\"}")).isEqualTo(new Online(List.of("a")));
        assertThat(line("online {\"uids\":[\"a\",42]}")).isEqualTo(new Online(List.of("a", "42")));
        assertThat(line("connections {\"uid\":\"a\"}")).isEqualTo(new Connections("a", false));
        assertThat(line("connections {\"uid\":7}")).isEqualTo(new Connections("7", false));
        assertThat(line("connections {\"uid\":\"a\",\"details\":true}")).isEqualTo(new Connections("a", true));
        assertThat(line("uids")).isEqualTo(new ListUids(null, 100 > 50 ? 50 : 100));
        assertThat(line("uids {\"after\":\"m\",\"limit\":10}")).isEqualTo(new ListUids("m", 10));
        assertThat(line("groups {}")).isEqualTo(new ListGroups(null, 50));
        assertThat(line("count")).isEqualTo(new Count(null));
        assertThat(line("count {\"group\":\"g\"}")).isEqualTo(new Count("g"));
        assertThat(line("members {\"group\":\"g\",\"limit\":5}")).isEqualTo(new Members("g", null, 5));
        assertThat(line("join {\"group\":\"g\",\"uids\":[\"a\",\"b\"]}")).isEqualTo(new Join("g", List.of("a", "b")));
        assertThat(line("leave {\"group\":\"g\",\"uid\":\"a\"}")).isEqualTo(new Leave("g", List.of("a")));
        assertThat(line("kick {\"uid\":\"a\",\"reason\":\"bye\"}"))
                .isEqualTo(new KickConnections(new Kick("a", null, "bye")));
        assertThat(line("kick {\"connection\":\"1z\"}")).isEqualTo(new KickConnections(new Kick(null, "1z", null)));
        assertThat(line("stats")).isEqualTo(new Stats());
        assertThat(line("stats ")).isEqualTo(new Stats());
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("push {\"data\":1}", ApiError.MISSING_FIELD, "uids"),
                Arguments.of("push {\"uid\":\"a\"}", ApiError.MISSING_FIELD, "data"),
                Arguments.of("push", ApiError.MISSING_FIELD, "data"),
                Arguments.of("push {\"uid\":\"a\",\"data\":null}", ApiError.INVALID_FIELD, "data"),
                Arguments.of("push {\"uids\":[\"\"],\"data\":1}", ApiError.INVALID_FIELD, "uids[0]"),
                Arguments.of(
                        "push {\"uids\":[\"a\",\"x0123456789abcdefg\"],\"data\":1}", ApiError.INVALID_FIELD, "uids[1]"),
                Arguments.of("push {\"uids\":\"a\",\"data\":1}", ApiError.INVALID_FIELD, "uids"),
                Arguments.of("push {\"uid\":true,\"data\":1}", ApiError.INVALID_FIELD, "uid"),
                Arguments.of("push {\"groups\":[\"has space\"],\"data\":1}", ApiError.INVALID_FIELD, "groups[0]"),
                Arguments.of("push {\"group\":\"\",\"data\":1}", ApiError.INVALID_FIELD, "group"),
                Arguments.of("push {\"group\":\"tab\\t\",\"data\":1}", ApiError.INVALID_FIELD, "group"),
                Arguments.of("push {\"all\":\"yes\",\"data\":1}", ApiError.INVALID_FIELD, "all"),
                Arguments.of(
                        "push {\"uid\":\"a\",\"data\":1,\"exclude\":{\"uid\":\"b\"}}",
                        ApiError.UNKNOWN_FIELD,
                        "exclude.uid"),
                Arguments.of("push {\"uid\":\"a\",\"data\":1,\"exclude\":[]}", ApiError.INVALID_FIELD, "exclude"),
                Arguments.of("push {\"uid\":\"a\",\"data\":1,\"extra\":0}", ApiError.UNKNOWN_FIELD, "extra"),
                Arguments.of("push [{\"uid\":\"a\",\"data\":1},{\"uid\":\"a\"}]", ApiError.MISSING_FIELD, "[1].data"),
                Arguments.of(
                        "push [{\"uid\":\"a\",\"data\":1},{\"uids\":[1.5],\"data\":1}]",
                        ApiError.INVALID_FIELD,
                        "[1].uids[0]"),
                Arguments.of("push []", ApiError.INVALID_FIELD, "[]"),
                Arguments.of(
                        "push [{\"uid\":\"a\",\"data\":1},{\"uid\":\"a\",\"data\":1},{\"uid\":\"a\",\"data\":1},{\"uid\":\"a\",\"data\":1}]",
                        ApiError.TOO_MANY,
                        null),
                Arguments.of("push \"x\"", ApiError.INVALID_JSON, null),
                Arguments.of("push {\"uid\":\"a\",\"data\":1} trailing", ApiError.INVALID_JSON, null),
                Arguments.of("push {\"uid\":\"a\",", ApiError.INVALID_JSON, null),
                Arguments.of("broadcast {\"uids\":[\"a\"],\"data\":1}", ApiError.UNKNOWN_FIELD, "uids"),
                Arguments.of("online {}", ApiError.MISSING_FIELD, "uids"),
                Arguments.of("connections {}", ApiError.MISSING_FIELD, "uid"),
                Arguments.of("connections {\"uids\":[\"a\"]}", ApiError.UNKNOWN_FIELD, "uids"),
                Arguments.of("connections {\"uid\":\"\"}", ApiError.INVALID_FIELD, "uid"),
                Arguments.of("uids {\"limit\":0}", ApiError.INVALID_FIELD, "limit"),
                Arguments.of("uids {\"limit\":51}", ApiError.INVALID_FIELD, "limit"),
                Arguments.of("uids {\"after\":1}", ApiError.INVALID_FIELD, "after"),
                Arguments.of("members {}", ApiError.MISSING_FIELD, "group"),
                Arguments.of("join {\"uids\":[\"a\"]}", ApiError.MISSING_FIELD, "group"),
                Arguments.of("join {\"group\":\"g\"}", ApiError.MISSING_FIELD, "uids"),
                Arguments.of("kick {}", ApiError.MISSING_FIELD, "uid"),
                Arguments.of("kick {\"uid\":\"a\",\"connection\":\"1\"}", ApiError.INVALID_FIELD, "connection"),
                Arguments.of(
                        "kick {\"uid\":\"a\",\"reason\":\"" + "r".repeat(124) + "\"}",
                        ApiError.INVALID_FIELD,
                        "reason"),
                Arguments.of("stats {\"x\":1}", ApiError.UNKNOWN_FIELD, "x"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusalsNameTheField(String text, String code, String field) {
        BackendCommand command = line(text);
        assertThat(command).isInstanceOf(Rejected.class);
        ApiError error = ((Rejected) command).error();
        assertThat(error.code()).isEqualTo(code);
        assertThat(error.field()).isEqualTo(field);
        assertThat(error.httpStatus()).isEqualTo(400);
    }

    @Test
    void refusalsKnowTheirVerb() {
        assertThat(((Rejected) line("push {}")).isPush()).isTrue();
        assertThat(((Rejected) line("broadcast {\"x\":1}")).isPush()).isTrue();
        assertThat(((Rejected) line("count {\"x\":1}")).verb()).isEqualTo("count");
        assertThat(((Rejected) line("count {\"x\":1}")).isPush()).isFalse();
    }

    @Test
    void readsTheLimitsForEachCommand() {
        AtomicReference<CommandLimits> limits = new AtomicReference<>(new CommandLimits(16, 16, 2, 50));
        CommandParser parser = new CommandParser(limits::get);
        byte[] batch = "[{\"uid\":\"a\",\"data\":1},{\"uid\":\"b\",\"data\":2},{\"uid\":\"c\",\"data\":3}]"
                .getBytes(StandardCharsets.UTF_8);

        assertThat(parser.parse("push", batch, 0, batch.length)).isInstanceOf(Rejected.class);
        limits.set(new CommandLimits(16, 16, 3, 50));
        assertThat(parser.parse("push", batch, 0, batch.length)).isInstanceOf(Push.class);
        assertThat(parser.limits().maxBatch()).isEqualTo(3);
    }

    @Test
    void seedLinesAreNeverCommands() {
        assertThat(line("{\"uid\":\"push\",\"cmd\":\"push\"}")).isInstanceOf(BackendCommand.SeedPush.class);
        assertThat(line("  {\"uid\":\"a\"}")).isInstanceOf(BackendCommand.SeedPush.class);
        assertThat(line("pushx {}")).as("not a verb").isInstanceOf(BackendCommand.Invalid.class);
        assertThat(line("PUSH {}")).as("verbs are lower case").isInstanceOf(BackendCommand.Invalid.class);
        assertThat(line("push{}")).as("a space separates the verb").isInstanceOf(BackendCommand.Invalid.class);
    }

    @Test
    void repliesAreCompactJson() {
        assertThat(new String(
                        CommandReplies.error(ApiError.field(ApiError.INVALID_FIELD, "uids[0]", "empty uid")),
                        StandardCharsets.UTF_8))
                .isEqualTo(
                        "{\"error\":{\"code\":\"invalid_field\",\"message\":\"uids[0]: empty uid\",\"field\":\"uids[0]\"}}");
        assertThat(new String(CommandReplies.pushed(new dev.herald.core.PushResult(3, 2)), StandardCharsets.UTF_8))
                .isEqualTo("{\"connections\":3,\"uids\":2}");
        List<dev.herald.core.ConnectionInfo> infos = List.of(
                new dev.herald.core.ConnectionInfo("2s", "websocket", "127.0.0.1:5000", null),
                new dev.herald.core.ConnectionInfo(
                        "2t",
                        "websocket",
                        "127.0.0.2:6000",
                        new dev.herald.core.auth.Identity(
                                "a", List.of("g"), "{\"plan\":\"pro\"}", 1_700_000_000_000L)));
        assertThat(new String(CommandReplies.connections("a", infos, false), StandardCharsets.UTF_8))
                .isEqualTo("{\"uid\":\"a\",\"connections\":[\"2s\",\"2t\"]}");
        assertThat(new String(CommandReplies.connections("a", infos, true), StandardCharsets.UTF_8))
                .isEqualTo("{\"uid\":\"a\",\"connections\":[\"2s\",\"2t\"],\"details\":["
                        + "{\"id\":\"2s\",\"transport\":\"websocket\",\"remote\":\"127.0.0.1:5000\"},"
                        + "{\"id\":\"2t\",\"transport\":\"websocket\",\"remote\":\"127.0.0.2:6000\","
                        + "\"token\":{\"exp\":1700000000,\"groups\":[\"g\"],\"info\":{\"plan\":\"pro\"}}}]}");
    }
}
