package dev.herald.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class Utf8Test {

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("ascii", "68656c6c6f", true),
                Arguments.of("empty", "", true),
                Arguments.of("2-byte é", "c3a9", true),
                Arguments.of("3-byte €", "e282ac", true),
                Arguments.of("4-byte 😀", "f09f9880", true),
                Arguments.of("max code point", "f48fbfbf", true),
                Arguments.of("lone continuation", "80", false),
                Arguments.of("truncated 2-byte", "c3", false),
                Arguments.of("truncated 3-byte", "e282", false),
                Arguments.of("truncated 4-byte", "f09f98", false),
                Arguments.of("overlong /", "c0af", false),
                Arguments.of("overlong 3-byte", "e080af", false),
                Arguments.of("overlong 4-byte", "f08282ac", false),
                Arguments.of("surrogate", "eda080", false),
                Arguments.of("above U+10FFFF", "f4908080", false),
                Arguments.of("F5 lead", "f5808080", false),
                Arguments.of("bad continuation", "e228a1", false),
                Arguments.of("ascii after bad", "c328", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void validates(String name, String hex, boolean valid) {
        byte[] bytes = HexFormat.of().parseHex(hex);
        assertThat(Utf8.isValid(bytes, 0, bytes.length)).isEqualTo(valid);
    }
}
