package dev.herald.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NamesTest {

    @Test
    void uidsAreAnyNonEmptyTextWithinTheLimit() {
        assertThat(Names.uidViolation("uid1", 128)).isNull();
        assertThat(Names.uidViolation(" spaced ", 128)).isNull();
        assertThat(Names.uidViolation("x".repeat(128), 128)).isNull();
        assertThat(Names.uidViolation("用".repeat(42), 128)).as("126 bytes").isNull();
        assertThat(Names.uidViolation("", 128)).isEqualTo("empty uid");
        assertThat(Names.uidViolation("x".repeat(129), 128)).isEqualTo("uid longer than 128 bytes");
        assertThat(Names.uidViolation("用".repeat(43), 128)).as("129 bytes").isNotNull();
    }

    @Test
    void groupNamesHaveNoWhitespaceOrControlCharacters() {
        assertThat(Names.groupViolation("room-1/news:cn", 128)).isNull();
        assertThat(Names.groupViolation("房间", 128)).isNull();
        assertThat(Names.groupViolation("", 128)).isEqualTo("empty group name");
        assertThat(Names.groupViolation("g".repeat(129), 128)).isEqualTo("group name longer than 128 bytes");
        for (String bad : new String[] {"a b", "a\tb", "a\nb", "a\u0000b", "a\u007fb", "a\u00a0b", "a\u3000b"}) {
            assertThat(Names.groupViolation(bad, 128)).as(bad).isNotNull();
        }
    }
}
