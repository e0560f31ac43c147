package dev.herald.protocol.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.protocol.backend.BackendCommand.Invalid;
import dev.herald.protocol.backend.BackendCommand.SeedPush;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BackendLineParserTest {

    private final BackendLineParser parser = new BackendLineParser(CommandLimits.defaults());

    static Stream<Arguments> seedPushes() {
        return Stream.of(
                Arguments.of("the seed's PHP line", "{\"uid\":\"uid1\",\"percent\":\"88%\"}", "uid1"),
                Arguments.of("uid not first", "{\"percent\":\"88%\",\"uid\":\"task-7\"}", "task-7"),
                Arguments.of("integer uid, as PHP json_encode writes an int", "{\"uid\":42}", "42"),
                Arguments.of("escaped uid", "{\"uid\":\"u\\u0031\"}", "u1"),
                Arguments.of("unicode uid", "{\"uid\":\"用户\"}", "用户"),
                Arguments.of("whitespace around", "  { \"uid\" : \"a\" }  ", "a"),
                Arguments.of("nested uid is the application's", "{\"data\":{\"uid\":\"x\"},\"uid\":\"y\"}", "y"),
                Arguments.of("repeated uid: last wins, as in PHP", "{\"uid\":\"a\",\"uid\":\"b\"}", "b"),
                Arguments.of("empty string uid is a uid nobody binds", "{\"uid\":\"\"}", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("seedPushes")
    void seedPush(String name, String line, String uid) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        BackendCommand command = parser.parse(bytes);
        assertThat(command).isInstanceOf(SeedPush.class);
        SeedPush push = (SeedPush) command;
        assertThat(push.uid()).isEqualTo(uid);
        assertThat(push.line()).as("forwarded byte for byte").isSameAs(bytes);
    }

    static Stream<Arguments> invalidLines() {
        return Stream.of(
                Arguments.of("empty", "", BackendError.EMPTY_LINE),
                Arguments.of("not JSON", "hello", BackendError.INVALID_JSON),
                Arguments.of("truncated object", "{\"uid\":\"a\"", BackendError.INVALID_JSON),
                Arguments.of("trailing garbage", "{\"uid\":\"a\"}x", BackendError.INVALID_JSON),
                Arguments.of("two objects", "{\"uid\":\"a\"} {\"uid\":\"b\"}", BackendError.INVALID_JSON),
                Arguments.of("array", "[{\"uid\":\"a\"}]", BackendError.INVALID_JSON),
                Arguments.of("string", "\"uid\"", BackendError.INVALID_JSON),
                Arguments.of("single quotes", "{'uid':'a'}", BackendError.INVALID_JSON),
                Arguments.of("no uid", "{\"percent\":\"88%\"}", BackendError.MISSING_UID),
                Arguments.of("empty object", "{}", BackendError.MISSING_UID),
                Arguments.of("null uid", "{\"uid\":null}", BackendError.INVALID_UID),
                Arguments.of("boolean uid", "{\"uid\":true}", BackendError.INVALID_UID),
                Arguments.of("float uid", "{\"uid\":1.5}", BackendError.INVALID_UID),
                Arguments.of("object uid", "{\"uid\":{\"id\":1}}", BackendError.INVALID_UID),
                Arguments.of("array uid", "{\"uid\":[\"a\"]}", BackendError.INVALID_UID));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidLines")
    void invalid(String name, String line, BackendError error) {
        BackendCommand command = parser.parse(line.getBytes(StandardCharsets.UTF_8));
        assertThat(command).isInstanceOf(Invalid.class);
        assertThat(((Invalid) command).error()).isEqualTo(error);
    }

    @Test
    void invalidUtf8IsRefusedBeforeItReachesAClient() {
        byte[] line = {
            '{', '"', 'u', 'i', 'd', '"', ':', '"', 'a', '"', ',', '"', 'x', '"', ':', '"', (byte) 0xC3, '"', '}'
        };
        assertThat(((Invalid) parser.parse(line)).error()).isEqualTo(BackendError.INVALID_UTF8);
    }

    @Test
    void aCommandWhoseParametersAreNotUtf8GetsAJsonError() {
        byte[] line = {'p', 'u', 's', 'h', ' ', '{', '"', 'u', 'i', 'd', '"', ':', '"', (byte) 0xFF, '"', '}'};
        assertThat(parser.parse(line))
                .isEqualTo(new BackendCommand.Rejected(
                        "push", new ApiError(ApiError.INVALID_JSON, "the parameters are not valid UTF-8", null)));
    }

    @Test
    void deepNestingIsAnErrorNotAStackOverflow() {
        String deep = "{\"uid\":\"a\",\"x\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        assertThat(((Invalid) parser.parse(deep.getBytes(StandardCharsets.UTF_8))).error())
                .isEqualTo(BackendError.INVALID_JSON);
    }

    @Test
    void errorRepliesAreOneLine() {
        BackendReply reply = BackendReply.error(BackendError.INVALID_JSON, "bad\r\nthing");
        assertThat(new String(reply.bytes(), StandardCharsets.UTF_8)).isEqualTo("error invalid_json bad  thing\n");
        assertThat(new String(BackendReply.OK.bytes(), StandardCharsets.US_ASCII))
                .isEqualTo("ok\n");
        assertThat(new String(BackendReply.FAIL.bytes(), StandardCharsets.US_ASCII))
                .isEqualTo("fail\n");
    }
}
