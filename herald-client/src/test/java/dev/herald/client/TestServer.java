package dev.herald.client;

import dev.herald.server.ConfigLoader;
import dev.herald.server.HeraldServer;
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
        return HeraldServer.start(ConfigLoader.load(Path.of("target"), null, Map.of(), flags));
    }

    static URI ws(HeraldServer server) {
        return URI.create("ws://127.0.0.1:" + server.websocketAddress().getPort() + "/");
    }

    static URI http(HeraldServer server) {
        return URI.create("http://127.0.0.1:" + server.httpAddress().getPort());
    }

    static InetSocketAddress text(HeraldServer server) {
        return new InetSocketAddress("127.0.0.1", server.textAddress().getPort());
    }
}
