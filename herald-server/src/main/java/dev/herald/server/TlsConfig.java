package dev.herald.server;

import dev.herald.netty.tls.TlsContext;
import java.util.Objects;

/**
 * TLS of the two public listeners (config keys {@code websocket.tls.*} and {@code http.tls.*}), each
 * {@link TlsContext#OFF} or a context built from its PEM files when the configuration was read.
 */
public record TlsConfig(TlsContext websocket, TlsContext http) {

    public TlsConfig {
        Objects.requireNonNull(websocket, "websocket");
        Objects.requireNonNull(http, "http");
    }
}
