package dev.herald.protocol.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import dev.herald.protocol.backend.ApiError;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GroupRequestTest {

    static Stream<Arguments> messages() {
        return Stream.of(
                argumentSet("join", "join room:42", new GroupRequest(true, "room:42")),
                argumentSet("leave", "leave room:42", new GroupRequest(false, "room:42")),
                argumentSet(
                        "the group is the rest, verbatim", "join  two spaces", new GroupRequest(true, " two spaces")),
                argumentSet("join alone asks for the empty name", "join", new GroupRequest(true, "")),
                argumentSet("join and a space", "join ", new GroupRequest(true, "")),
                argumentSet("leave alone", "leave", new GroupRequest(false, "")),
                argumentSet("a longer word is no request", "joined room", null),
                argumentSet("verbs are lower case", "JOIN room", null),
                argumentSet("a tab is not the separator", "join\troom", null),
                argumentSet("leading space", " join room", null),
                argumentSet("application text", "hello", null),
                argumentSet("empty message", "", null));
    }

    @ParameterizedTest
    @MethodSource("messages")
    void parse(String text, GroupRequest expected) {
        assertThat(GroupRequest.parse(text)).isEqualTo(expected);
    }

    @Test
    void groupNamesAreValidatedLikeTheApi() {
        assertThat(new GroupRequest(true, "room:42").refusal(128)).isNull();
        assertThat(new GroupRequest(true, "g".repeat(8)).refusal(8)).isNull();
        assertThat(new GroupRequest(true, "g".repeat(9)).refusal(8))
                .isEqualTo(new ApiError(ApiError.INVALID_FIELD, "group: group name longer than 8 bytes", "group"));
        assertThat(new GroupRequest(false, "").refusal(128).message()).isEqualTo("group: empty group name");
        assertThat(new GroupRequest(true, "a b").refusal(128).field()).isEqualTo("group");
    }
}
