package dev.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CommandCodecTest {

    private final CommandCodec codec = new CommandCodec(new ObjectMapper());

    static Stream<Arguments> pushes() {
        return Stream.of(
                Arguments.of(
                        Named.of("uids", Push.toUids("a", "b").data("hi")), "{\"uids\":[\"a\",\"b\"],\"data\":\"hi\"}"),
                Arguments.of(
                        Named.of(
                                "everything",
                                Push.toUids("a")
                                        .toGroups("g")
                                        .toAll()
                                        .excludeUids("b")
                                        .excludeConnections("2s")
                                        .data(Map.of("n", 1))),
                        "{\"uids\":[\"a\"],\"groups\":[\"g\"],\"all\":true,"
                                + "\"exclude\":{\"uids\":[\"b\"],\"connections\":[\"2s\"]},\"data\":{\"n\":1}}"),
                Arguments.of(
                        Named.of(
                                "each uid once, in order",
                                Push.toUids("b", "a", "b")
                                        .toUids(List.of("a", "c"))
                                        .data(1)),
                        "{\"uids\":[\"b\",\"a\",\"c\"],\"data\":1}"),
                Arguments.of(
                        Named.of("raw JSON", Push.toGroups("g").dataJson("[1, 2]")),
                        "{\"groups\":[\"g\"],\"data\":[1, 2]}"),
                Arguments.of(
                        Named.of(
                                "ttl, id and key",
                                Push.toUids("a")
                                        .data("shipped")
                                        .ttl(java.time.Duration.ofHours(24))
                                        .id("order-7")
                                        .key("order:7")),
                        "{\"uids\":[\"a\"],\"data\":\"shipped\",\"ttl\":86400,\"id\":\"order-7\",\"key\":\"order:7\"}"),
                Arguments.of(
                        Named.of(
                                "a newline stays escaped: one Text-port line",
                                Push.toUids("a").data("x\ny")),
                        "{\"uids\":[\"a\"],\"data\":\"x\\ny\"}"));
    }

    @ParameterizedTest
    @MethodSource("pushes")
    void pushParameters(Push push, String json) {
        assertThat(new String(codec.encode(codec.push(push)), StandardCharsets.UTF_8))
                .isEqualTo(json);
    }

    @Test
    void aTargetIsImmutableAndReusable() {
        Push.Target room = Push.toGroups("room");
        Push withBob = room.excludeUids("bob").data("x");
        Push plain = room.data("y");
        assertThat(withBob.target().excludedUids()).containsExactly("bob");
        assertThat(plain.target().excludedUids()).isEmpty();
        assertThatThrownBy(() -> room.groups().add("other")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> room.data(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Push.toUids("a", null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void pageParametersLeaveOutWhatIsNotGiven() {
        assertThat(codec.page(null, null, 0).toString()).isEqualTo("{}");
        assertThat(codec.page("g", "b", 50).toString()).isEqualTo("{\"group\":\"g\",\"after\":\"b\",\"limit\":50}");
        assertThat(codec.kick("uid", "alice", null).toString()).isEqualTo("{\"uid\":\"alice\"}");
    }

    /** A Text-port reply line and the error it is, or {@code null} for a reply. */
    record TextReply(String line, ErrorCode code, String field, boolean transport) {}

    static Stream<Arguments> textReplies() {
        return Stream.of(
                Arguments.of(Named.of("a reply", new TextReply("{\"connections\":1,\"uids\":1}", null, null, false))),
                Arguments.of(Named.of(
                        "a command error",
                        new TextReply(
                                "{\"error\":{\"code\":\"missing_field\",\"message\":\"data: the message to push\",\"field\":\"data\"}}",
                                ErrorCode.MISSING_FIELD,
                                "data",
                                false))),
                Arguments.of(Named.of(
                        "a port error",
                        new TextReply(
                                "error line_too_long line longer than 10 bytes",
                                ErrorCode.LINE_TOO_LONG,
                                null,
                                false))),
                Arguments.of(Named.of("a seed reply", new TextReply("ok", ErrorCode.BAD_REPLY, null, true))),
                Arguments.of(Named.of("not JSON", new TextReply("{nope", ErrorCode.BAD_REPLY, null, true))));
    }

    @ParameterizedTest
    @MethodSource("textReplies")
    void textReplies(TextReply reply) {
        byte[] line = reply.line().getBytes(StandardCharsets.UTF_8);
        if (reply.code() == null) {
            assertThat(codec.textReply(line).toString()).isEqualTo(reply.line());
            return;
        }
        assertThatThrownBy(() -> codec.textReply(line))
                .isInstanceOf(reply.transport() ? HeraldTransportException.class : HeraldException.class)
                .hasFieldOrPropertyWithValue("code", reply.code())
                .hasFieldOrPropertyWithValue("field", reply.field())
                .hasFieldOrPropertyWithValue("httpStatus", 0);
    }

    @Test
    void aReplyMissingAFieldIsABadReply() {
        assertThatThrownBy(() -> CommandCodec.pushResult(new ObjectMapper().readTree("{\"connections\":1}")))
                .isInstanceOf(HeraldTransportException.class)
                .hasFieldOrPropertyWithValue("code", ErrorCode.BAD_REPLY)
                .hasMessageContaining("uids");
    }

    @Test
    void errorCodesRoundTrip() {
        for (ErrorCode code : ErrorCode.values()) {
            assertThat(ErrorCode.of(code.codeName())).isEqualTo(code);
        }
        assertThat(ErrorCode.of("something_new")).isEqualTo(ErrorCode.UNKNOWN);
    }
}
