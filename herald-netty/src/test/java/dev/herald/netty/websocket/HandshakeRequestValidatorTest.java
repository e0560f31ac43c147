package dev.herald.netty.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HandshakeRequestValidatorTest {

    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    private static FullHttpRequest request(HttpMethod method, String uri, String... headers) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
        for (int i = 0; i < headers.length; i += 2) {
            request.headers().add(headers[i], headers[i + 1]);
        }
        return request;
    }

    private static FullHttpRequest handshake(String... overrides) {
        FullHttpRequest request = request(
                HttpMethod.GET,
                "/",
                "Upgrade",
                "websocket",
                "Connection",
                "Upgrade",
                "Sec-WebSocket-Version",
                "13",
                "Sec-WebSocket-Key",
                KEY);
        for (int i = 0; i < overrides.length; i += 2) {
            if (overrides[i + 1] == null) {
                request.headers().remove(overrides[i]);
            } else {
                request.headers().set(overrides[i], overrides[i + 1]);
            }
        }
        return request;
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("valid", handshake(), 0),
                Arguments.of(
                        "valid, any path",
                        request(
                                HttpMethod.GET,
                                "/any/path?x=1",
                                "Upgrade",
                                "WebSocket",
                                "Connection",
                                "keep-alive, Upgrade",
                                "Sec-WebSocket-Version",
                                "13",
                                "Sec-WebSocket-Key",
                                KEY),
                        0),
                Arguments.of("POST", request(HttpMethod.POST, "/"), 405),
                Arguments.of("plain GET", request(HttpMethod.GET, "/"), 426),
                Arguments.of("version 8", handshake("Sec-WebSocket-Version", "8"), 426),
                Arguments.of("no version", handshake("Sec-WebSocket-Version", null), 426),
                Arguments.of("no key", handshake("Sec-WebSocket-Key", null), 400),
                Arguments.of("short key", handshake("Sec-WebSocket-Key", "c2hvcnQ="), 400),
                Arguments.of("key not base64", handshake("Sec-WebSocket-Key", "!!!!!!!!!!!!!!!!!!!!!!=="), 400),
                Arguments.of("no Connection: Upgrade", handshake("Connection", "keep-alive"), 400),
                Arguments.of("absolute-form target", request(HttpMethod.GET, "http://h/"), 400));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refusesAnythingButAVersion13Handshake(String name, FullHttpRequest request, int status) {
        FullHttpResponse refusal = HandshakeRequestValidator.refusal(request);
        if (status == 0) {
            assertThat(refusal).isNull();
            return;
        }
        assertThat(refusal.status().code()).isEqualTo(status);
        if (status == 426) {
            assertThat(refusal.headers().get("Sec-WebSocket-Version")).isEqualTo("13");
        }
        if (status == 405) {
            assertThat(refusal.headers().get("Allow")).isEqualTo("GET");
        }
        refusal.release();
        request.release();
    }
}
