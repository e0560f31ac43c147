package dev.herald.core.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HistoryConfigTest {

    private static final Duration TTL = Duration.ofMinutes(5);
    private static final Duration META_TTL = Duration.ofHours(1);

    private static HistoryConfig config(int size, List<String> groups, boolean all) {
        return new HistoryConfig(size, TTL, 1024 * 1024, groups, all, 100, 1000, META_TTL);
    }

    @ParameterizedTest(name = "{0} ~ \"{1}\" = {2}")
    @CsvSource(delimiter = '|', emptyValue = "", textBlock = """
            room-*  | room-1      | true
            room-*  | room-       | true
            room-*  | room        | false
            room-*  | my-room-1   | false
            *-vip   | gold-vip    | true
            *-vip   | -vip        | true
            *-vip   | gold-vip-2  | false
            a*b*c   | abc         | true
            a*b*c   | aXXbYYc     | true
            a*b*c   | abcabc      | true
            a*b*c   | acb         | false
            a*b*c   | abcd        | false
            lobby   | lobby       | true
            lobby   | lobby2      | false
            lobby   | Lobby       | false
            *       | anything    | true
            *       | ''          | true
            room.1  | room.1      | true
            room.*  | roomX1      | false
            r[a]*   | r[a]x       | true
            r[a]*   | rax         | false
            """)
    void globsMatchAnyRunOfCharactersAtAStarAndNothingElseIsSpecial(String pattern, String name, boolean matches) {
        assertThat(HistoryConfig.matches(pattern, name)).isEqualTo(matches);
    }

    @Test
    void uidStreamsKeepAsHistoryUidsSays() {
        assertThat(config(10, List.of(), false).keeps("u:anyone")).as("all").isTrue();
        assertThat(HistoryConfig.DEFAULTS.uids()).isEqualTo(HistoryConfig.Uids.V1);
        assertThat(HistoryConfig.DEFAULTS.keeps("u:anyone"))
                .as("v1: not from the start")
                .isFalse();
        assertThat(HistoryConfig.DEFAULTS.keepsWhenAsked("u:anyone"))
                .as("v1: once asked")
                .isTrue();
        assertThat(HistoryConfig.DEFAULTS.keepsWhenAsked("g:room")).isFalse();
        HistoryConfig none = new HistoryConfig(
                10,
                Duration.ofMinutes(1),
                1 << 20,
                List.of(),
                false,
                10,
                10,
                Duration.ofHours(1),
                HistoryConfig.Uids.NONE);
        assertThat(none.keeps("u:anyone")).isFalse();
        assertThat(none.keepsWhenAsked("u:anyone")).isFalse();
    }

    @Test
    void groupStreamsKeepWhenAPatternMatchesTheirGroup() {
        HistoryConfig config = config(10, List.of("room-*", "lobby"), false);

        assertThat(config.keeps("g:room-1")).isTrue();
        assertThat(config.keeps("g:lobby")).isTrue();
        assertThat(config.keeps("g:kitchen")).isFalse();
        assertThat(config.keeps("g:lobby-2")).isFalse();
        assertThat(HistoryConfig.DEFAULTS.keeps("g:room-1")).isFalse();
    }

    @Test
    void theEveryoneStreamKeepsOnlyWhenAllIsSet() {
        assertThat(config(10, List.of("*"), false).keeps("*"))
                .as("a group pattern is not for everyone")
                .isFalse();
        assertThat(config(10, List.of(), true).keeps("*")).isTrue();
        assertThat(HistoryConfig.DEFAULTS.keeps("*")).isFalse();
    }

    @Test
    void aNameThatIsNoStreamKeepsNothing() {
        assertThat(config(10, List.of("*"), true).keeps("x:a")).isFalse();
    }

    @Test
    void sizeZeroKeepsNothingAnywhere() {
        HistoryConfig config = config(0, List.of("*"), true);

        assertThat(config.keeps("u:a")).isFalse();
        assertThat(config.keeps("g:room")).isFalse();
        assertThat(config.keeps("*")).isFalse();
    }

    @Test
    void aZeroTtlOrByteBudgetKeepsNothing() {
        assertThat(new HistoryConfig(10, Duration.ZERO, 1024, List.of(), false, 10, 10, META_TTL).keeps("u:a"))
                .isFalse();
        assertThat(new HistoryConfig(10, TTL, 0, List.of(), false, 10, 10, META_TTL).keeps("u:a"))
                .isFalse();
    }

    @Test
    void theGroupPatternsAreCopied() {
        List<String> groups = new ArrayList<>(List.of("room-*"));
        HistoryConfig config = config(10, groups, false);
        groups.add("lobby");

        assertThat(config.groups()).containsExactly("room-*");
        assertThat(config.keeps("g:lobby")).isFalse();
    }

    @Test
    void refusesANegativeSize() {
        assertThatThrownBy(() -> config(-1, List.of(), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("size");
    }

    @Test
    void refusesAMetaTtlShorterThanTheTtl() {
        assertThatThrownBy(() -> new HistoryConfig(10, TTL, 1024, List.of(), false, 10, 10, TTL.minusSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("meta-ttl");
        assertThat(new HistoryConfig(10, TTL, 1024, List.of(), false, 10, 10, TTL).metaTtl())
                .isEqualTo(TTL);
    }

    @Test
    void refusesABlankGroupPattern() {
        assertThatThrownBy(() -> config(10, List.of("room-*", ""), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("groups");
        assertThatThrownBy(() -> config(10, List.of("  "), false)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesOtherLimitsOutOfRange() {
        assertThatThrownBy(() -> new HistoryConfig(10, TTL.negated(), 1024, List.of(), false, 10, 10, META_TTL))
                .hasMessageContaining("ttl");
        assertThatThrownBy(() -> new HistoryConfig(10, TTL, -1, List.of(), false, 10, 10, META_TTL))
                .hasMessageContaining("max-bytes");
        assertThatThrownBy(() -> new HistoryConfig(10, TTL, 1024, List.of(), false, -1, 10, META_TTL))
                .hasMessageContaining("max-replay");
        assertThatThrownBy(() -> new HistoryConfig(10, TTL, 1024, List.of(), false, 10, 0, META_TTL))
                .hasMessageContaining("max-streams");
        assertThatNullPointerException()
                .isThrownBy(() -> new HistoryConfig(10, null, 1024, List.of(), false, 10, 10, META_TTL));
    }
}
