package dev.herald.bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every scenario takes: where the server is, what it is, and how the tool connects. */
final class BenchOptions {

    /** Which protocol the server speaks beyond the seed's. */
    enum ServerKind {
        /** Herald: the seed protocol plus the {@code count}, {@code stats} and {@code broadcast} commands. */
        herald,
        /** Only the seed protocol: bind by first frame, push lines answered {@code ok}/{@code fail}. */
        seed
    }

    @Option(
            names = "--ws",
            defaultValue = "ws://127.0.0.1:1234/",
            description = "WebSocket URL of the server (loopback only). Default: ${DEFAULT-VALUE}.")
    URI ws;

    @Option(
            names = "--text",
            defaultValue = "127.0.0.1:5678",
            description = "Text port (backend) host:port (loopback only). Default: ${DEFAULT-VALUE}.")
    String text;

    @Option(
            names = "--server",
            defaultValue = "herald",
            description = "What the server speaks: herald (count, stats and broadcast commands) or seed "
                    + "(only bind frames and push lines). Default: ${DEFAULT-VALUE}.")
    ServerKind server;

    @Option(
            names = "--server-pid",
            defaultValue = "-1",
            description = "Pid of the server process, for its CPU time and RSS from /proc. Herald's is asked "
                    + "with the stats command when not given; other servers report no server figures without it.")
    long serverPid;

    @Option(
            names = "--server-metrics",
            description = "Prometheus URL to read the server's used heap from (jvm_memory_used_bytes, area=heap), "
                    + "e.g. http://127.0.0.1:5679/metrics. Optional.")
    URI serverMetrics;

    @Option(
            names = "--label",
            description = "A name for this run in the results (e.g. herald, workerman). Default: the --server kind.")
    String label;

    @Option(
            names = "--source-from",
            defaultValue = "127.0.0.2",
            description = "First local address client connections bind to. Default: ${DEFAULT-VALUE}.")
    String sourceFrom;

    @Option(
            names = "--per-source",
            defaultValue = "10000",
            description = "Client connections per source address before the next address (127.0.0.3, ...) is "
                    + "used. Default: ${DEFAULT-VALUE}.")
    int perSource;

    @Option(
            names = "--io-threads",
            defaultValue = "1",
            description = "Event-loop threads of the tool. Default: ${DEFAULT-VALUE} (leaves the other core "
                    + "to the server on a 2-core machine).")
    int ioThreads;

    @Option(
            names = "--backend-loop",
            description = "own: backends (and the pacer) on an event loop of their own; shared: on the first "
                    + "client loop (one busy thread in the tool). Default: shared for targeted, own otherwise.")
    String backendLoop;

    @Option(
            names = "--connect-concurrency",
            defaultValue = "256",
            description = "Handshakes in flight at once while opening connections. Default: ${DEFAULT-VALUE}.")
    int connectConcurrency;

    @Option(
            names = "--uid-prefix",
            defaultValue = "bench-",
            description = "Client uids are this prefix and a number (ASCII). Default: ${DEFAULT-VALUE}.")
    String uidPrefix;

    @Option(
            names = "--tls",
            description = "Connect the clients with TLS (wss://, trusting any certificate): the server's"
                    + " WebSocket listener must have websocket.tls.* set. Same as a wss:// --ws.")
    boolean tls;

    @Option(names = "--out", description = "Also append the result's JSON line to this file.")
    Path out;

    String label() {
        return label != null ? label : server.name();
    }

    String uid(int i) {
        return uidPrefix + i;
    }

    InetSocketAddress textAddress() {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--text must be host:port: " + text);
        }
        return new InetSocketAddress(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
    }

    /**
     * @throws IllegalArgumentException naming the option, if an address is not loopback or malformed
     */
    void validate() {
        if (!("ws".equals(ws.getScheme()) || "wss".equals(ws.getScheme()))
                || ws.getHost() == null
                || ws.getPort() < 0) {
            throw new IllegalArgumentException("--ws must be ws://host:port/path (or wss://) with a port: " + ws);
        }
        if (tls && "ws".equals(ws.getScheme())) {
            ws = java.net.URI.create("wss" + ws.toString().substring(2));
        }
        requireLoopback("--ws", ws.getHost());
        requireLoopback("--text", textAddress().getHostString());
        if (!uidPrefix.chars().allMatch(c -> c > 32 && c < 127 && c != '"' && c != '\\')) {
            throw new IllegalArgumentException("--uid-prefix must be printable ASCII without quotes: " + uidPrefix);
        }
        if (backendLoop != null && !backendLoop.equals("own") && !backendLoop.equals("shared")) {
            throw new IllegalArgumentException("--backend-loop must be own or shared: " + backendLoop);
        }
        if (perSource < 1 || ioThreads < 1 || connectConcurrency < 1) {
            throw new IllegalArgumentException("--per-source, --io-threads and --connect-concurrency must be >= 1");
        }
    }

    private static void requireLoopback(String option, String host) {
        try {
            if (!InetAddress.getByName(host).isLoopbackAddress()) {
                throw new IllegalArgumentException(
                        option + ": " + host + " is not a loopback address; herald-bench loads only this machine");
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(option + ": unknown host " + host, e);
        }
    }
}
