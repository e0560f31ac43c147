package dev.herald.server;

import dev.herald.netty.tls.TlsContext;
import java.util.Objects;

/**
 * TLS of the listeners (config keys {@code websocket.tls.*}, {@code http.tls.*} and {@code
 * text.tls.*}), each {@link TlsContext#OFF} or a context built from its PEM files when the
 * configuration was read.
 */
public record TlsConfig(TlsContext websocket, TlsContext http, TlsContext text) {

    public TlsConfig {
        Objects.requireNonNull(websocket, "websocket");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(text, "text");
    }
}
