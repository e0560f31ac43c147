package dev.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.herald.server.HeraldServer;
import dev.herald.testkit.FreePorts;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link HeraldClient#http} against a real server, and against peers that are not Herald. */
class HttpHeraldClientIT extends HeraldClientContract {

    @Override
    HeraldClient connect(HeraldServer server) {
        return HeraldClient.http(TestServer.http(server), null);
    }

    @Override
    int expectedStatus(int status) {
        return status;
    }

    @Test
    void aBaseUriWithATrailingSlashOrAPathPrefixWorksAlike() {
        bind("alice");
        try (HeraldClient slash = HeraldClient.http(URI.create(TestServer.http(server) + "/"), null)) {
            assertThat(slash.isOnline("alice")).isTrue();
        }
        try (HeraldClient prefixed = HeraldClient.http(URI.create(TestServer.http(server) + "/herald"), null)) {
            assertThatThrownBy(() -> prefixed.isOnline("alice"))
                    .as("Herald has no /herald/api/online: a wrong prefix is a 404")
                    .isExactlyInstanceOf(HeraldException.class)
                    .hasFieldOrPropertyWithValue("code", ErrorCode.NOT_FOUND)
                    .hasFieldOrPropertyWithValue("httpStatus", 404);
        }
    }

    @Test
    void aServerWithApiKeysRefusesAWrongOrMissingKey() {
        HeraldServer keyed = TestServer.start("http.api-keys", "s3cret-key-000001,other-key-0000002");
        try (HeraldClient wrong = HeraldClient.http(TestServer.http(keyed), "guessed-key-000001");
                HeraldClient none = HeraldClient.http(TestServer.http(keyed), null);
                HeraldClient right = HeraldClient.http(TestServer.http(keyed), "other-key-0000002")) {
            for (HeraldClient refused : new HeraldClient[] {wrong, none}) {
                assertThatThrownBy(refused::counts)
                        .isExactlyInstanceOf(HeraldException.class)
                        .hasFieldOrPropertyWithValue("code", ErrorCode.UNAUTHORIZED)
                        .hasFieldOrPropertyWithValue("codeName", "unauthorized")
                        .hasFieldOrPropertyWithValue("httpStatus", 401)
                        .hasMessageContaining("API key");
            }
            assertThat(wrong.pushAsync(Push.toUids("a").data("x")))
                    .failsWithin(WAIT)
                    .withThrowableOfType(ExecutionException.class)
                    .havingCause()
                    .isExactlyInstanceOf(HeraldException.class)
                    .hasFieldOrPropertyWithValue("code", ErrorCode.UNAUTHORIZED);
            assertThat(right.counts()).isEqualTo(new Counts(0, 0, 0));
            assertThat(keyed.pusher().pushCount()).as("nothing was pushed").isZero();
        } finally {
            keyed.stop();
        }
    }

    @Test
    void aServerWithoutApiKeysForbidsClientsOffItsLoopback() throws IOException {
        InetAddress external = externalAddress();
        HeraldServer open = TestServer.start("http.host", external.getHostAddress());
        try (HeraldClient remote = HeraldClient.http(
                URI.create("http://" + external.getHostAddress() + ":"
                        + open.httpAddress().getPort()),
                null)) {
            assertThatThrownBy(remote::counts)
                    .isExactlyInstanceOf(HeraldException.class)
                    .hasFieldOrPropertyWithValue("code", ErrorCode.FORBIDDEN)
                    .hasFieldOrPropertyWithValue("httpStatus", 403);
        } finally {
            open.stop();
        }
    }

    /** A non-loopback IPv4 address of this machine, so that the server sees a remote client. */
    private static InetAddress externalAddress() throws IOException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
                        return address;
                    }
                }
            }
        }
        Assumptions.abort("no non-loopback IPv4 address on this machine");
        throw new AssertionError("unreachable");
    }

    @Test
    void aBodyOverTheServersLimitIsTooLarge() {
        HeraldServer small = TestServer.start("http.max-body-bytes", "1KiB");
        try (HeraldClient http = HeraldClient.http(TestServer.http(small), null)) {
            assertThatThrownBy(() -> http.push(Push.toUids("alice").data("x".repeat(2000))))
                    .isExactlyInstanceOf(HeraldException.class)
                    .hasFieldOrPropertyWithValue("code", ErrorCode.TOO_LARGE)
                    .hasFieldOrPropertyWithValue("httpStatus", 413);
            assertThat(http.push(Push.toUids("alice").data("small"))).isEqualTo(new PushResult(0, 0));
        } finally {
            small.stop();
        }
    }

    @Test
    void nothingListeningIsATransportError() {
        // Not a released ephemeral port, which the client's own connect could take as its source port.
        int port = FreePorts.take();
        try (HeraldClient http = HeraldClient.http(URI.create("http://127.0.0.1:" + port), null)) {
            assertThatThrownBy(http::counts)
                    .isInstanceOf(HeraldTransportException.class)
                    .hasFieldOrPropertyWithValue("code", ErrorCode.TRANSPORT)
                    .hasFieldOrPropertyWithValue("httpStatus", 0)
                    .hasMessageContaining("127.0.0.1:" + port);
        }
    }

    @Test
    void aSilentServerTimesOutWithinTheTimeout() {
        try (TcpPeer silent = TcpPeer.start();
                HeraldClient http = HeraldClient.builder()
                        .timeout(Duration.ofMillis(300))
                        .http(URI.create("http://127.0.0.1:" + silent.address().getPort()))) {
            long start = System.nanoTime();
            assertThatThrownBy(http::counts)
                    .isInstanceOf(HeraldTransportException.class)
                    .hasFieldOrPropertyWithValue("code", ErrorCode.TIMEOUT)
                    .hasFieldOrPropertyWithValue("timeout", true);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));

            CompletableFuture<Counts> async = http.countsAsync();
            assertThat(async)
                    .failsWithin(Duration.ofSeconds(5))
                    .withThrowableOfType(ExecutionException.class)
                    .havingCause()
                    .isInstanceOf(HeraldTransportException.class)
                    .hasFieldOrPropertyWithValue("code", ErrorCode.TIMEOUT);
        }
    }

    /** What a peer that is not Herald answered, and the error the client must make of it. */
    record Foreign(int status, String contentType, String body, ErrorCode code, boolean transport) {
        /** A 2xx whose JSON is not the command's reply fails in decoding, where no status is known. */
        int expectedStatus() {
            return status == 200 && body.startsWith("{") ? 0 : status;
        }
    }

    static Stream<Arguments> foreignReplies() {
        return Stream.of(
                Arguments.of(Named.of(
                        "a web server's 404 page",
                        new Foreign(404, "text/html", "<h1>Not Found</h1>", ErrorCode.NOT_FOUND, false))),
                Arguments.of(Named.of(
                        "a proxy's 401", new Foreign(401, "text/plain", "login first", ErrorCode.UNAUTHORIZED, false))),
                Arguments.of(Named.of(
                        "a proxy's 502",
                        new Foreign(502, "text/html", "<h1>Bad Gateway</h1>", ErrorCode.BAD_REPLY, true))),
                Arguments.of(Named.of(
                        "a 200 that is not JSON",
                        new Foreign(200, "text/html", "<html>hi</html>", ErrorCode.BAD_REPLY, true))),
                Arguments.of(Named.of(
                        "a 200 with JSON that is not the reply",
                        new Foreign(200, "application/json", "{\"hello\":1}", ErrorCode.BAD_REPLY, true))),
                Arguments.of(Named.of(
                        "a 500 with Herald's error JSON",
                        new Foreign(
                                500,
                                "application/json",
                                "{\"error\":{\"code\":\"internal\",\"message\":\"engine down\"}}",
                                ErrorCode.INTERNAL,
                                false))),
                Arguments.of(Named.of(
                        "a 400 with a code this client does not know",
                        new Foreign(
                                400,
                                "application/json",
                                "{\"error\":{\"code\":\"brand_new\",\"message\":\"m\",\"field\":\"f\"}}",
                                ErrorCode.UNKNOWN,
                                false))));
    }

    @ParameterizedTest
    @MethodSource("foreignReplies")
    void aReplyThatIsNotHeraldsIsATypedError(Foreign foreign) throws IOException {
        HttpServer other = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        other.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] body = foreign.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", foreign.contentType());
            exchange.sendResponseHeaders(foreign.status(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        other.start();
        try (HeraldClient http = HeraldClient.http(
                URI.create("http://127.0.0.1:" + other.getAddress().getPort()), null)) {
            assertThatThrownBy(() -> http.counts())
                    .isInstanceOf(foreign.transport() ? HeraldTransportException.class : HeraldException.class)
                    .satisfies(thrown -> {
                        HeraldException e = (HeraldException) thrown;
                        assertThat(e instanceof HeraldTransportException).isEqualTo(foreign.transport());
                        assertThat(e.code()).isEqualTo(foreign.code());
                        assertThat(e.httpStatus()).isEqualTo(foreign.expectedStatus());
                    });
            assertThat(http.countsAsync())
                    .failsWithin(WAIT.toMillis(), TimeUnit.MILLISECONDS)
                    .withThrowableOfType(ExecutionException.class)
                    .havingCause()
                    .isInstanceOf(HeraldException.class)
                    .hasFieldOrPropertyWithValue("code", foreign.code());
        } finally {
            other.stop(0);
        }
    }
}
