package dev.herald.server;

import dev.herald.netty.backend.TextPortConfig;
import dev.herald.netty.http.HttpConfig;
import dev.herald.netty.websocket.WebSocketConfig;
import java.nio.file.Path;

/** Everything Herald is configured with: one immutable tree, built only by {@link ConfigLoader}. */
public record ServerConfig(
        WebSocketConfig websocket, TextPortConfig text, HttpConfig http, ProcessConfig server, LogConfig log) {

    /** The built-in defaults, with relative paths under {@code home}. */
    public static ServerConfig defaults(Path home) {
        return ConfigLoader.load(home, null, java.util.Map.of(), java.util.Map.of());
    }

    public ServerConfig withWebSocket(WebSocketConfig websocket) {
        return new ServerConfig(websocket, text, http, server, log);
    }

    public ServerConfig withText(TextPortConfig text) {
        return new ServerConfig(websocket, text, http, server, log);
    }

    public ServerConfig withHttp(HttpConfig http) {
        return new ServerConfig(websocket, text, http, server, log);
    }

    /** All three listeners on port 0 of loopback: for tests and embedding. */
    public ServerConfig onFreeLoopbackPorts() {
        return withWebSocket(new WebSocketConfig("127.0.0.1", 0, websocket.maxMessageBytes(), websocket.maxUidBytes(),
                        websocket.compression(), websocket.compressionLevel(), websocket.pingInterval(),
                        websocket.pongTimeout(), websocket.bindTimeout(), websocket.maxOutboundBytes()))
                .withText(new TextPortConfig("127.0.0.1", 0, text.maxLineBytes()))
                .withHttp(new HttpConfig("127.0.0.1", 0));
    }
}
