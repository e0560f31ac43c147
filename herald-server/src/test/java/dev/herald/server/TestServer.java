package dev.herald.server;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Starts an in-process {@link HeraldServer} on free loopback ports, with extra config given as flags. */
final class TestServer {

    private TestServer() {}

    static HeraldServer start(String... keyValues) {
        Map<String, String> flags = new HashMap<>();
        flags.put("websocket.host", "127.0.0.1");
        flags.put("websocket.port", "0");
        flags.put("text.port", "0");
        flags.put("http.port", "0");
        flags.put("server.shutdown-timeout", "3s");
        for (int i = 0; i < keyValues.length; i += 2) {
            flags.put(keyValues[i], keyValues[i + 1]);
        }
        return HeraldServer.start(new ConfigSource(Path.of("target"), null, Map.of(), flags), unused -> {});
    }

    static URI ws(HeraldServer server) {
        return ws(server, "/");
    }

    static URI ws(HeraldServer server, String path) {
        InetSocketAddress address = server.websocketAddress();
        return URI.create("ws://127.0.0.1:" + address.getPort() + path);
    }
}
