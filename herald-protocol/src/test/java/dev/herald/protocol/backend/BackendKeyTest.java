package dev.herald.protocol.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class BackendKeyTest {

    private static final String SECRET = "0123456789abcdef";

    static Stream<Arguments> written() {
        return Stream.of(
                argumentSet("bare key: every scope", SECRET, SECRET, Set.of(Scope.PUSH, Scope.ADMIN)),
                argumentSet("push", SECRET + ":push", SECRET, Set.of(Scope.PUSH)),
                argumentSet("admin", SECRET + ":admin", SECRET, Set.of(Scope.ADMIN)),
                argumentSet("both", SECRET + ":push+admin", SECRET, Set.of(Scope.PUSH, Scope.ADMIN)),
                argumentSet(
                        "a colon before a non-scope suffix is the key's",
                        "abc:DEF:0123456789",
                        "abc:DEF:0123456789",
                        Set.of(Scope.PUSH, Scope.ADMIN)),
                argumentSet(
                        "the last colon names the scopes",
                        "abc:def:0123456789:push",
                        "abc:def:0123456789",
                        Set.of(Scope.PUSH)));
    }

    @ParameterizedTest
    @MethodSource("written")
    void parsesTheSecretAndTheScopes(String written, String secret, Set<Scope> scopes) {
        BackendKey key = BackendKey.parse(written);
        assertThat(key.secret()).isEqualTo(secret);
        assertThat(key.scopes()).isEqualTo(scopes);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {SECRET + ":pusher", SECRET + ":push+", SECRET + ":read", "short:push", "with space 0123456789"})
    void refusesUnknownScopesAndShortKeysWithoutShowingThem(String written) {
        assertThatThrownBy(() -> BackendKey.parse(written))
                .isInstanceOf(IllegalArgumentException.class)
                .message()
                .doesNotContain("0123456789");
    }

    @Test
    void scopesOfTheVerbs() {
        assertThat(Scope.ofVerb("kick")).isEqualTo(Scope.ADMIN);
        assertThat(Scope.ofVerb("stats")).isEqualTo(Scope.ADMIN);
        for (String verb : List.of(
                "push",
                "broadcast",
                "online",
                "connections",
                "uids",
                "groups",
                "count",
                "members",
                "receipt",
                "join",
                "leave")) {
            assertThat(Scope.ofVerb(verb)).as(verb).isEqualTo(Scope.PUSH);
        }
        assertThat(CommandParser.VERBS)
                .allSatisfy(verb -> assertThat(Scope.ofVerb(verb)).isNotNull());
    }

    @Test
    void matchesAPresentedSecretAgainstEveryKey() {
        BackendKeys keys = BackendKeys.of(List.of(SECRET + ":push", "fedcba9876543210:admin"));
        assertThat(keys.match("fedcba9876543210")).map(BackendKey::scopes).contains(Set.of(Scope.ADMIN));
        assertThat(keys.match(SECRET)).map(BackendKey::scopes).contains(Set.of(Scope.PUSH));
        assertThat(keys.match(SECRET + ":push")).isEmpty();
        assertThat(keys.match("")).isEmpty();
        assertThat(keys.first(Scope.ADMIN)).map(BackendKey::secret).contains("fedcba9876543210");
        assertThat(BackendKeys.of(List.of()).isEmpty()).isTrue();
        assertThat(BackendKey.parse(SECRET).toString()).doesNotContain(SECRET);
    }
}
