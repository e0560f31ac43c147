package dev.herald.netty.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which origins {@code websocket.allowed-origins} lets through. */
class AllowedOriginsTest {

    @Test
    void emptyOrAStarAllowsEveryOrigin() {
        assertThat(AllowedOrigins.of(List.of()).allows("https://evil.example")).isTrue();
        assertThat(AllowedOrigins.of(List.of("https://a.example", "*")).allowsAny())
                .isTrue();
    }

    @Test
    void anExactOriginMatchesItselfOnlyWithoutRegardToCase() {
        AllowedOrigins origins = AllowedOrigins.of(List.of("https://App.Example.com", "http://localhost:8080"));
        assertThat(origins.allows("https://app.example.com")).isTrue();
        assertThat(origins.allows("HTTPS://APP.EXAMPLE.COM")).isTrue();
        assertThat(origins.allows("http://localhost:8080")).isTrue();
        assertThat(origins.allows("http://app.example.com"))
                .as("another scheme")
                .isFalse();
        assertThat(origins.allows("https://app.example.com:8443"))
                .as("another port")
                .isFalse();
        assertThat(origins.allows("http://localhost:8081")).isFalse();
        assertThat(origins.allows("https://app.example.com.evil.net")).isFalse();
    }

    @Test
    void aPatternMatchesEverySubdomainButNotTheDomainItself() {
        AllowedOrigins any = AllowedOrigins.of(List.of("*.example.com"));
        assertThat(any.allows("https://app.example.com")).isTrue();
        assertThat(any.allows("http://a.b.example.com:8080")).isTrue();
        assertThat(any.allows("https://example.com")).as("the apex").isFalse();
        assertThat(any.allows("https://badexample.com")).isFalse();
        assertThat(any.allows("https://example.com.evil.net")).isFalse();
        AllowedOrigins https = AllowedOrigins.of(List.of("https://*.example.com"));
        assertThat(https.allows("https://app.example.com:8443")).isTrue();
        assertThat(https.allows("http://app.example.com")).as("another scheme").isFalse();
    }

    @Test
    void noOriginIsAllowedAndTheNullOriginOnlyWhenListed() {
        AllowedOrigins origins = AllowedOrigins.of(List.of("https://app.example.com"));
        assertThat(origins.allows(null))
                .as("an app or a server: no Origin header")
                .isTrue();
        assertThat(origins.allows("null")).isFalse();
        assertThat(origins.allows("")).isFalse();
        assertThat(origins.allows("garbage")).isFalse();
        assertThat(AllowedOrigins.of(List.of("null")).allows("null")).isTrue();
    }

    @Test
    void anEntryThatIsNeitherAnOriginNorAPatternIsRefused() {
        for (String bad :
                List.of("example.com", "https://app.example.com/path", "https://*", "ftp//x", "*example.com")) {
            assertThatThrownBy(() -> AllowedOrigins.of(List.of(bad)))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + bad + "'");
        }
    }
}
