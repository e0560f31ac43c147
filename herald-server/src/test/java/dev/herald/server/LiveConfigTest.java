package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.netty.tls.TlsContext;
import dev.herald.netty.websocket.WebSocketConfig;
import dev.herald.testkit.TestCertificate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LiveConfigTest {

    private static final String OLD_KEY = "old-key-0123456789";
    private static final String NEW_KEY = "new-key-0123456789";

    @TempDir
    Path dir;

    private Path file;

    private LiveConfig load(String yaml, Map<String, String> flags) throws IOException {
        file = dir.resolve("herald.yml");
        Files.writeString(file, yaml);
        return LiveConfig.load(new ConfigSource(dir, file, Map.of(), flags));
    }

    private void rewrite(String yaml) throws IOException {
        Files.writeString(file, yaml);
    }

    @Test
    void everyLiveKeyIsAConfigKey() {
        assertThat(LiveConfig.LIVE_KEYS)
                .allSatisfy(name -> assertThat(ConfigKey.named(name)).as(name).isNotNull());
    }

    @Test
    void reloadAppliesTheLiveKeysAndKeepsTheOthersUntilARestart() throws IOException {
        LiveConfig config = load("""
                websocket:
                  port: 1000
                  max-uid-bytes: 64
                http:
                  api-keys: [%s]
                """.formatted(OLD_KEY), Map.of());
        Supplier<WebSocketConfig> websocket = config.view(ServerConfig::websocket);
        assertThat(websocket.get().maxUidBytes()).isEqualTo(64);

        rewrite("""
                websocket:
                  port: 2000
                  max-uid-bytes: 32
                  compression: true
                http:
                  api-keys: [%s]
                log:
                  level: debug
                """.formatted(NEW_KEY));
        LiveConfig.Reload reload = config.reload();

        assertThat(reload.applied()).containsExactly("websocket.max-uid-bytes", "http.api-keys", "log.level");
        assertThat(reload.restartRequired()).containsExactly("websocket.port", "websocket.compression");
        assertThat(reload.report())
                .containsEntry(
                        "changed",
                        List.of(
                                "http.api-keys",
                                "log.level",
                                "websocket.compression",
                                "websocket.max-uid-bytes",
                                "websocket.port"))
                .containsEntry("restartRequired", List.of("websocket.port", "websocket.compression"));
        assertThat(websocket.get().maxUidBytes()).isEqualTo(32);
        assertThat(websocket.get().port()).as("needs a restart").isEqualTo(1000);
        assertThat(websocket.get().compression()).as("needs a restart").isFalse();
        assertThat(config.get().http().apiKeys()).containsExactly(NEW_KEY);
        assertThat(config.get().log().level()).isEqualTo("debug");
        assertThat(reload.before().log().level()).isEqualTo("info");
        assertThat(reload.after()).isSameAs(config.get());

        LiveConfig.Reload again = config.reload();
        assertThat(again.applied()).as("nothing new").isEmpty();
        assertThat(again.restartRequired())
                .as("still waiting for a restart")
                .containsExactly("websocket.port", "websocket.compression");
    }

    @Test
    void tlsKeysAreLiveButTurningTlsOnOrOffNeedsARestart() throws IOException {
        TestCertificate first = TestCertificate.generate(dir.resolve("first"));
        TestCertificate second = TestCertificate.generate(dir.resolve("second"));
        LiveConfig config = load("""
                websocket:
                  tls: {cert: first/cert.pem, key: first/key.pem}
                """, Map.of());
        Supplier<TlsContext> tls = config.view(c -> c.tls().websocket());
        assertThat(tls.get().serial()).isEqualTo(first.serial());
        assertThat(config.get().tls().http().enabled()).isFalse();

        rewrite("""
                websocket:
                  tls: {cert: second/cert.pem, key: second/key.pem}
                http:
                  tls: {cert: second/cert.pem, key: second/key.pem}
                """);
        LiveConfig.Reload reload = config.reload();
        assertThat(reload.applied()).containsExactlyInAnyOrder("websocket.tls.cert", "websocket.tls.key");
        assertThat(reload.restartRequired()).containsExactlyInAnyOrder("http.tls.cert", "http.tls.key");
        assertThat(tls.get().serial()).isEqualTo(second.serial());
        assertThat(config.get().tls().http().enabled()).isFalse();

        // Same paths, new files: a reload reads them again.
        TestCertificate third = TestCertificate.generate(dir.resolve("second"));
        assertThat(config.reload().applied()).isEmpty();
        assertThat(tls.get().serial()).isEqualTo(third.serial());
    }

    @Test
    void flagsStillWinOverTheFileAfterAReload() throws IOException {
        LiveConfig config = load("websocket:\n  max-uid-bytes: 64\n", Map.of("websocket.max-uid-bytes", "10"));
        rewrite("websocket:\n  max-uid-bytes: 20\n");

        assertThat(config.reload().applied()).isEmpty();
        assertThat(config.get().websocket().maxUidBytes()).isEqualTo(10);
    }

    static Stream<Arguments> invalidFiles() {
        return Stream.of(
                Arguments.argumentSet(
                        "a live key out of range", "websocket:\n  max-uid-bytes: 0\n", "websocket.max-uid-bytes"),
                Arguments.argumentSet("a restart-only key that does not parse", "text:\n  port: abc\n", "text.port"),
                Arguments.argumentSet("an unknown key", "websocket:\n  prot: 1\n", "websocket.prot"),
                Arguments.argumentSet("YAML that does not parse", "websocket: [\n", "not valid YAML"),
                Arguments.argumentSet("an API key too short", "http:\n  api-keys: [short]\n", "api-keys"));
    }

    @ParameterizedTest
    @MethodSource("invalidFiles")
    void anInvalidConfigurationChangesNothing(String yaml, String named) throws IOException {
        LiveConfig config = load("http:\n  api-keys: [%s]\n".formatted(OLD_KEY), Map.of());
        ServerConfig before = config.get();
        rewrite(yaml + "log:\n  level: debug\n");

        assertThatThrownBy(config::reload).isInstanceOf(ConfigException.class).hasMessageContaining(named);
        assertThat(config.get()).isSameAs(before);
    }

    @Test
    void aMissingFileChangesNothing() throws IOException {
        LiveConfig config = load("log:\n  level: warn\n", Map.of());
        Files.delete(file);

        assertThatThrownBy(config::reload).isInstanceOf(ConfigException.class).hasMessageContaining("not found");
        assertThat(config.get().log().level()).isEqualTo("warn");
    }

    @Test
    void aViewIsDerivedAgainOnlyAfterAReload() throws IOException {
        LiveConfig config = load("", Map.of());
        Supplier<Object> view = config.view(c -> new Object());
        Object first = view.get();

        assertThat(view.get()).isSameAs(first);
        config.reload();
        assertThat(view.get()).isNotSameAs(first);
    }

    @Test
    void aFixedConfigurationCannotBeReloaded() throws IOException {
        ServerConfig fixed = load("", Map.of()).get();
        LiveConfig config = LiveConfig.fixed(fixed);

        assertThatThrownBy(config::reload).isInstanceOf(ConfigException.class).hasMessageContaining("fixed");
        assertThat(config.get()).isSameAs(fixed);
    }
}
