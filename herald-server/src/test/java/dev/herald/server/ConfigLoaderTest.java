package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigLoaderTest {

    @TempDir
    Path home;

    private ServerConfig load(Path file, Map<String, String> env, Map<String, String> flags) {
        return ConfigLoader.load(home, file, env, flags);
    }

    /** Runs openssl in {@code home}; the test is skipped where it is not installed. */
    private void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .directory(home.toFile())
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            Assumptions.abort("openssl is not installed");
            return;
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
    }

    @Test
    void tlsFromTheReadmeOpensslCommandPlainEncryptedAndPkcs1() throws Exception {
        // The README's command, with RSA too.
        openssl(
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-days",
                "30",
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout",
                "key.pem",
                "-out",
                "cert.pem");
        ServerConfig config =
                load(null, Map.of(), Map.of("websocket.tls.cert", "cert.pem", "websocket.tls.key", "key.pem"));
        assertThat(config.tls().websocket().enabled()).isTrue();
        assertThat(config.tls().websocket().cert()).isEqualTo(home.resolve("cert.pem"));
        assertThat(config.tls().http().enabled()).isFalse();

        openssl(
                "pkcs8",
                "-topk8",
                "-in",
                "key.pem",
                "-out",
                "encrypted.pem",
                "-passout",
                "pass:s3cret",
                "-v2",
                "aes-256-cbc");
        assertThat(load(
                                null,
                                Map.of(),
                                Map.of(
                                        "http.tls.cert", "cert.pem",
                                        "http.tls.key", "encrypted.pem",
                                        "http.tls.key-password", "s3cret"))
                        .tls()
                        .http()
                        .enabled())
                .isTrue();
        assertThatThrownBy(() ->
                        load(null, Map.of(), Map.of("http.tls.cert", "cert.pem", "http.tls.key", "encrypted.pem")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.tls.key: ")
                .hasMessageContaining("key-password");
        assertThatThrownBy(() -> load(
                        null,
                        Map.of(),
                        Map.of(
                                "http.tls.cert",
                                "cert.pem",
                                "http.tls.key",
                                "encrypted.pem",
                                "http.tls.key-password",
                                "wrong")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cannot decrypt");

        openssl(
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=localhost",
                "-keyout",
                "rsa-key.pem",
                "-out",
                "rsa-cert.pem");
        openssl("pkey", "-in", "rsa-key.pem", "-out", "rsa-pkcs1.pem", "-traditional");
        assertThat(load(
                                null,
                                Map.of(),
                                Map.of("websocket.tls.cert", "rsa-cert.pem", "websocket.tls.key", "rsa-key.pem"))
                        .tls()
                        .websocket()
                        .enabled())
                .isTrue();
        assertThatThrownBy(() -> load(
                        null,
                        Map.of(),
                        Map.of("websocket.tls.cert", "rsa-cert.pem", "websocket.tls.key", "rsa-pkcs1.pem")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not a PKCS#8 key")
                .hasMessageContaining("openssl pkcs8 -topk8");
        assertThatThrownBy(() -> load(null, Map.of(), Map.of("websocket.tls.cert", "rsa-cert.pem")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("websocket.tls.cert and websocket.tls.key must be set together");
        assertThatThrownBy(() -> load(
                        null, Map.of(), Map.of("websocket.tls.cert", "missing.pem", "websocket.tls.key", "key.pem")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("websocket.tls.cert: cannot read ");
    }

    @Test
    void defaultsNeedNothing() {
        ServerConfig config = load(null, Map.of(), Map.of());
        assertThat(config.websocket().host()).isEqualTo("0.0.0.0");
        assertThat(config.websocket().port()).isEqualTo(1234);
        assertThat(config.websocket().maxMessageBytes()).isEqualTo(65536);
        assertThat(config.websocket().maxUidBytes()).isEqualTo(128);
        assertThat(config.websocket().compression()).isFalse();
        assertThat(config.websocket().pingInterval()).isEqualTo(Duration.ofSeconds(25));
        assertThat(config.text().host()).isEqualTo("127.0.0.1");
        assertThat(config.text().port()).isEqualTo(5678);
        assertThat(config.text().maxLineBytes()).isEqualTo(1024 * 1024);
        assertThat(config.http().port()).isEqualTo(5679);
        assertThat(config.server().pidFile()).isEqualTo(home.resolve("run/herald.pid"));
        assertThat(config.log().file()).isNull();
        assertThat(config.log().fileFor(true, home)).isEqualTo(home.resolve("logs/herald.log"));
    }

    @Test
    void everyKeyDefaultIsWhatTheRecordsDefine() {
        ServerConfig config = load(null, Map.of(), Map.of());
        assertThat(config.websocket()).isEqualTo(dev.herald.netty.websocket.WebSocketConfig.defaults());
        assertThat(config.text()).isEqualTo(dev.herald.netty.backend.TextPortConfig.defaults());
        assertThat(config.http()).isEqualTo(dev.herald.netty.http.HttpConfig.defaults());
    }

    @Test
    void flagsOverrideTheEnvironmentWhichOverridesTheFile() throws IOException {
        Path file = Files.writeString(home.resolve("herald.yml"), """
                websocket:
                  port: 1111
                  max-message-bytes: 1MiB
                text:
                  port: 2222
                http.port: 3333
                """);
        ServerConfig config =
                load(file, Map.of("HERALD_TEXT_PORT", "4444", "HERALD_HTTP_PORT", "5555"), Map.of("http.port", "6666"));
        assertThat(config.websocket().port()).as("file").isEqualTo(1111);
        assertThat(config.websocket().maxMessageBytes()).isEqualTo(1024 * 1024);
        assertThat(config.text().port()).as("env over file").isEqualTo(4444);
        assertThat(config.http().port()).as("flag over env").isEqualTo(6666);
    }

    @Test
    void configFileFromTheEnvironment() throws IOException {
        Path file = Files.writeString(home.resolve("env.yml"), "websocket:\n  port: 7777\n");
        assertThat(load(null, Map.of("HERALD_CONFIG", file.toString()), Map.of())
                        .websocket()
                        .port())
                .isEqualTo(7777);
    }

    static Stream<Arguments> units() {
        return Stream.of(
                Arguments.of("websocket.max-message-bytes", "1024", 1024),
                Arguments.of("websocket.max-message-bytes", "64KiB", 65536),
                Arguments.of("websocket.max-message-bytes", "64k", 65536),
                Arguments.of("websocket.max-message-bytes", "2MB", 2 * 1024 * 1024),
                Arguments.of("text.max-line-bytes", "1 MiB", 1024 * 1024));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("units")
    void sizes(String key, String value, int bytes) {
        ServerConfig config = load(null, Map.of(), Map.of(key, value));
        int actual = key.startsWith("text")
                ? config.text().maxLineBytes()
                : config.websocket().maxMessageBytes();
        assertThat(actual).isEqualTo(bytes);
    }

    @Test
    void durations() {
        ServerConfig config = load(
                null,
                Map.of(),
                Map.of(
                        "websocket.ping-interval",
                        "500ms",
                        "websocket.pong-timeout",
                        "2m",
                        "server.shutdown-timeout",
                        "1h"));
        assertThat(config.websocket().pingInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.websocket().pongTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.server().shutdownTimeout()).isEqualTo(Duration.ofHours(1));
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("websocket.port", "abc", "websocket.port: 'abc' is not an integer"),
                Arguments.of("websocket.port", "70000", "websocket.port must be between 0 and 65535"),
                Arguments.of("text.port", "-1", "text.port must be between 0 and 65535"),
                Arguments.of(
                        "websocket.max-message-bytes", "lots", "websocket.max-message-bytes: 'lots' is not a size"),
                Arguments.of("websocket.max-message-bytes", "0", "websocket.max-message-bytes must be between"),
                Arguments.of("websocket.max-message-bytes", "99999999999999", "websocket.max-message-bytes: "),
                Arguments.of("websocket.ping-interval", "25", "websocket.ping-interval: '25' is not a duration"),
                Arguments.of("websocket.ping-interval", "0s", "websocket.ping-interval must be a positive duration"),
                Arguments.of("websocket.compression", "maybe", "websocket.compression: 'maybe' is not true or false"),
                Arguments.of(
                        "websocket.compression-level", "10", "websocket.compression-level must be between 1 and 9"),
                Arguments.of("log.level", "loud", "log.level must be one of"),
                Arguments.of(
                        "websocket.allowed-origins",
                        "https://app.example.com, example.com",
                        "websocket.allowed-origins: 'example.com' is not an origin"),
                Arguments.of("server.pid-file", "", "server.pid-file"),
                Arguments.of("websocket.prot", "1", "unknown config key 'websocket.prot'"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("invalid")
    void invalidValuesNameTheKey(String key, String value, String message) {
        assertThatThrownBy(() -> load(null, Map.of(), Map.of(key, value)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(message);
    }

    @Test
    void invalidEnvironmentValueNamesTheKey() {
        assertThatThrownBy(() -> load(null, Map.of("HERALD_WEBSOCKET_PORT", "x"), Map.of()))
                .hasMessageContaining("websocket.port");
    }

    @Test
    void unknownKeyInTheFileIsNamed() throws IOException {
        Path file = Files.writeString(home.resolve("bad.yml"), "websocket:\n  prot: 1\n");
        assertThatThrownBy(() -> load(file, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown config key 'websocket.prot'");
    }

    @Test
    void brokenYamlAndMissingFileAreReported() throws IOException {
        Path broken = Files.writeString(home.resolve("broken.yml"), "websocket: [\n");
        assertThatThrownBy(() -> load(broken, Map.of(), Map.of())).hasMessageContaining("is not valid YAML");
        assertThatThrownBy(() -> load(home.resolve("missing.yml"), Map.of(), Map.of()))
                .hasMessageContaining("not found");
    }

    @Test
    void brokenYamlIsReportedWithoutQuotingTheFile() throws IOException {
        Path broken = Files.writeString(home.resolve("broken.yml"), "http:\n  api-keys: [secret-key-0123456789\n");
        assertThatThrownBy(() -> load(broken, Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("is not valid YAML")
                .hasMessageContaining("line 2")
                .hasNoCause()
                .message()
                .doesNotContain("secret-key");
    }
}
