package dev.herald.server;

import dev.herald.auth.JwtAuthenticator;
import dev.herald.core.CloseReason;
import dev.herald.core.Hub;
import dev.herald.core.Pusher;
import dev.herald.core.auth.Authenticator;
import dev.herald.core.engine.Engine;
import dev.herald.core.engine.IdempotencyIds;
import dev.herald.core.engine.MemoryEngine;
import dev.herald.core.engine.Receipts;
import dev.herald.core.history.HistoryStats;
import dev.herald.core.history.InboxStats;
import dev.herald.core.history.MemoryStreamStore;
import dev.herald.netty.LoopLag;
import dev.herald.netty.NettyTransport;
import dev.herald.netty.backend.CommandExecutor;
import dev.herald.netty.backend.CommandReply;
import dev.herald.netty.backend.TextPortInitializer;
import dev.herald.netty.backend.TextPortStats;
import dev.herald.netty.http.HttpApiInitializer;
import dev.herald.netty.http.HttpServices;
import dev.herald.netty.http.HttpStats;
import dev.herald.netty.tls.TlsContext;
import dev.herald.netty.tls.TlsStats;
import dev.herald.netty.websocket.WebSocketConfig;
import dev.herald.netty.websocket.WebSocketInitializer;
import dev.herald.netty.websocket.WebSocketStats;
import dev.herald.protocol.backend.ApiError;
import dev.herald.protocol.backend.BackendError;
import dev.herald.protocol.backend.CommandLimits;
import dev.herald.protocol.backend.CommandParser;
import dev.herald.protocol.backend.CommandReplies;
import dev.herald.store.DataDirectory;
import dev.herald.store.StoreStats;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds the core, the engine and the three listeners from a {@link ServerConfig},
 * and stops them in the order that loses nothing.
 *
 * <p>{@link #start} returns once every port listens; {@link #stop} drains: it stops accepting, answers
 * the backend lines already read, closes clients with 1001, then stops the event loops.
 */
public final class HeraldServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HeraldServer.class);

    /** The version in the jar's manifest, or "dev" when run from classes. */
    public static final String VERSION = versionOf();

    private enum State {
        RUNNING,
        DRAINING,
        STOPPED
    }

    private final LiveConfig config;
    private final Consumer<LogConfig> logging;
    private final Hub hub;
    private final Engine engine;
    /** The data directory ({@code store.path}), or {@code null}: memory only. */
    private final DataDirectory data;
    /** Drops expired history off the event loops, every {@value #HISTORY_SWEEP_SECONDS} s. */
    private final ScheduledExecutorService historySweeper;

    static final int HISTORY_SWEEP_SECONDS = 5;
    private final Pusher pusher;
    private final ServerMetrics metrics = new ServerMetrics();
    private final WebSocketStats webSocketStats;
    private final TextPortStats textStats = new TextPortStats();
    private final NettyTransport transport;
    private final WebSocketInitializer webSocket;
    private final TextPortInitializer textPort;
    private final CommandExecutor executor;
    private final CommandParser parser;
    private final HttpStats httpStats = new HttpStats();
    private final TlsStats tlsStats = new TlsStats();
    private final Instant startedAt = Instant.now();
    private Channel webSocketListener;
    private Channel textListener;
    private Channel httpListener;
    private volatile State state = State.RUNNING;

    private HeraldServer(LiveConfig config, Consumer<LogConfig> logging) {
        this.config = config;
        this.logging = logging;
        Supplier<WebSocketConfig> websocket = config.view(ServerConfig::websocket);
        Supplier<ApiConfig> api = config.view(ServerConfig::api);
        this.hub = new Hub(
                () -> websocket.get().limits().maxConnectionsPerUid(),
                () -> api.get().maxGroupsPerUid());
        ServerConfig started = config.get();
        IdempotencyConfig idempotency = started.idempotency();
        if (started.store().enabled()) {
            this.data = DataDirectory.open(
                    started.store().path(),
                    started.store().fsync(),
                    started.history(),
                    started.inbox(),
                    idempotency.window(),
                    idempotency.maxIds(),
                    idempotency.receiptsTtl(),
                    idempotency.maxReceipts(),
                    Clock.systemUTC());
            this.engine = new MemoryEngine(hub, data.streams(), data.ids(), data.receipts());
        } else {
            this.data = null;
            this.engine = new MemoryEngine(
                    hub,
                    new MemoryStreamStore(started.history(), started.inbox(), Clock.systemUTC()),
                    new IdempotencyIds(idempotency.window(), idempotency.maxIds(), Clock.systemUTC()),
                    new Receipts(idempotency.receiptsTtl(), idempotency.maxReceipts(), Clock.systemUTC()));
        }
        this.historySweeper = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "herald-history");
            thread.setDaemon(true);
            return thread;
        });
        historySweeper.scheduleWithFixedDelay(
                () -> engine.sweep(System.currentTimeMillis()),
                HISTORY_SWEEP_SECONDS,
                HISTORY_SWEEP_SECONDS,
                TimeUnit.SECONDS);
        this.pusher = new Pusher(engine);
        this.webSocketStats = new WebSocketStats(
                metrics.writeLatency(), config.get().metrics().latencySampleEvery());
        this.webSocket = new WebSocketInitializer(
                hub,
                pusher,
                config.view(ServerConfig::websocket),
                () -> api.get().maxGroupBytes(),
                webSocketStats,
                config.view(c ->
                        c.auth().enabled() ? new JwtAuthenticator(c.auth(), Clock.systemUTC()) : Authenticator.NONE),
                config.view(c -> c.tls().websocket()),
                tlsStats);
        Supplier<CommandLimits> limits = config.view(c -> new CommandLimits(
                c.websocket().maxUidBytes(),
                c.api().maxGroupBytes(),
                c.api().maxBatch(),
                c.api().maxPage(),
                c.inbox().maxTtl().toSeconds()));
        this.executor = new CommandExecutor(pusher, this::stats);
        this.parser = new CommandParser(limits);
        this.textPort = new TextPortInitializer(
                pusher,
                executor,
                limits,
                config.view(ServerConfig::text),
                textStats,
                config.view(c -> c.tls().text()),
                tlsStats);
        this.transport = NettyTransport.start(
                config.get().server().ioThreads(), config.get().server().backendIoThreads());
        metrics.bind(hub, webSocketStats, textStats, textPort::connectionCount, httpStats);
        metrics.bindLoopLag("clients", transport.clientLag());
        if (transport.backendLag() != null) {
            metrics.bindLoopLag("backends", transport.backendLag());
        }
        metrics.bindTls(tlsStats);
        metrics.bindHistory(engine, webSocketStats);
        if (data != null) {
            metrics.bindStore(data.journal());
        }
    }

    /**
     * Starts a server with a fixed configuration (a reload changes nothing) and returns once all
     * listeners are bound.
     *
     * @throws NettyTransport.ListenException if a port cannot be bound; nothing is left running
     */
    public static HeraldServer start(ServerConfig config) {
        return start(LiveConfig.fixed(config), unused -> {});
    }

    /**
     * Starts a server configured from {@code source}, which {@code POST /admin/reload} reads again, and
     * returns once all listeners are bound.
     *
     * @param logging applies a reloaded {@code log.level} and {@code log.format}
     * @throws ConfigException if the configuration is invalid
     * @throws NettyTransport.ListenException if a port cannot be bound; nothing is left running
     */
    public static HeraldServer start(ConfigSource source, Consumer<LogConfig> logging) {
        return start(LiveConfig.load(source), logging);
    }

    private static HeraldServer start(LiveConfig config, Consumer<LogConfig> logging) {
        HeraldServer server = new HeraldServer(config, logging);
        try {
            server.listen();
        } catch (RuntimeException e) {
            server.state = State.STOPPED;
            server.closeListeners();
            server.transport.shutdown(0).syncUninterruptibly();
            server.metrics.close();
            server.historySweeper.shutdownNow();
            server.closeData();
            throw e;
        }
        log.info(
                "Herald {} listening: websocket {}, text {}, http {} (engine {}, transport {}, {} io threads, {} backend)",
                VERSION,
                describe(server.websocketAddress()),
                describe(server.textAddress()),
                describe(server.httpAddress()),
                server.engine.name(),
                server.transport.name(),
                server.transport.threads(),
                server.transport.backendThreads());
        server.logTls();
        server.warnIfOpen();
        return server;
    }

    /** One INFO line at start when a listener speaks TLS: which provider, which certificates. */
    private void logTls() {
        TlsConfig tls = config.get().tls();
        if (tls.websocket().enabled() || tls.http().enabled() || tls.text().enabled()) {
            log.info(
                    "TLS (TLSv1.3, TLSv1.2; provider {}): websocket {}, http {}, text {}",
                    TlsContext.provider(),
                    tls.websocket().describe(),
                    tls.http().describe(),
                    tls.text().describe());
        }
    }

    /**
     * One WARN at start when anyone who reaches the WebSocket port from another machine may bind as anyone,
     * and one when the Text port is open beyond loopback without keys.
     */
    private void warnIfOpen() {
        InetSocketAddress address = websocketAddress();
        if (!config.get().auth().enabled() && !address.getAddress().isLoopbackAddress()) {
            log.warn(
                    "no connect-token key is configured (auth.*): any client that reaches the WebSocket port {} "
                            + "can bind as any uid; see docs/security.md",
                    describe(address));
        }
        InetSocketAddress text = textAddress();
        if (config.get().text().keys().isEmpty() && !text.getAddress().isLoopbackAddress()) {
            log.warn(
                    "the Text port {} listens beyond loopback without keys (text.insecure: true): anyone who "
                            + "reaches it can push to anyone; set text.keys, or keep it behind a firewall",
                    describe(text));
        }
    }

    /** Listener addresses are read once, here: they need a restart to change. */
    private void listen() {
        ServerConfig started = config.get();
        webSocketListener = transport.listen(
                "websocket",
                new InetSocketAddress(
                        started.websocket().host(), started.websocket().port()),
                webSocket,
                webSocket.watermark());
        textListener = transport.listenForBackends(
                "text",
                new InetSocketAddress(started.text().host(), started.text().port()),
                textPort,
                textPort.watermark());
        HttpServices services = new HttpServices(
                executor,
                parser,
                this::stats,
                this::isReady,
                metrics::scrape,
                this::reload,
                config.view(c -> c.http().apiKeys()));
        HttpApiInitializer http = new HttpApiInitializer(
                services,
                config.view(ServerConfig::http),
                httpStats,
                config.view(c -> c.tls().http()),
                tlsStats);
        httpListener = transport.listenForBackends(
                "http",
                new InetSocketAddress(started.http().host(), started.http().port()),
                http,
                http.watermark());
    }

    /**
     * Reads the configuration sources again and applies what can change live (see {@link
     * LiveConfig#LIVE_KEYS}); on a thread of its own, since it reads a file. Connections stay open.
     */
    private CompletionStage<CommandReply> reload() {
        return CompletableFuture.supplyAsync(this::reloadNow, task -> {
            Thread thread = new Thread(task, "herald-reload");
            thread.setDaemon(true);
            thread.start();
        });
    }

    private CommandReply reloadNow() {
        LiveConfig.Reload reload;
        try {
            reload = config.reload();
        } catch (ConfigException e) {
            log.warn("reload refused, nothing changed: {}", e.getMessage());
            return CommandReply.error(new ApiError(ApiError.INVALID_CONFIG, e.getMessage(), null));
        }
        if (!reload.after().log().equals(reload.before().log())) {
            logging.accept(reload.after().log());
        }
        logCertificates(
                "websocket",
                reload.before().tls().websocket(),
                reload.after().tls().websocket());
        logCertificates(
                "http", reload.before().tls().http(), reload.after().tls().http());
        logCertificates(
                "text", reload.before().tls().text(), reload.after().tls().text());
        if (reload.applied().isEmpty() && reload.restartRequired().isEmpty()) {
            log.info("reloaded configuration: nothing changed");
        } else {
            log.info(
                    "reloaded configuration: applied {}; restart required for {}",
                    reload.applied(),
                    reload.restartRequired());
        }
        return CommandReply.ok(CommandReplies.map(reload.report()));
    }

    /** A reload reads the certificate files again: says so when the certificate is another. */
    private static void logCertificates(String listener, TlsContext before, TlsContext after) {
        if (after.enabled() && !after.serial().equals(before.serial())) {
            log.info("{} TLS certificate replaced for new connections: {}", listener, after.describe());
        }
    }

    public InetSocketAddress websocketAddress() {
        return (InetSocketAddress) webSocketListener.localAddress();
    }

    public InetSocketAddress textAddress() {
        return (InetSocketAddress) textListener.localAddress();
    }

    public InetSocketAddress httpAddress() {
        return (InetSocketAddress) httpListener.localAddress();
    }

    public Hub hub() {
        return hub;
    }

    public Pusher pusher() {
        return pusher;
    }

    /** The configuration in force (a reload may have changed it since start). */
    public ServerConfig config() {
        return config.get();
    }

    public boolean isReady() {
        return state == State.RUNNING;
    }

    /** Counters and facts for {@code /stats} and {@code herald status}. */
    public Map<String, Object> stats() {
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("version", VERSION);
        stats.put("pid", ProcessHandle.current().pid());
        stats.put("state", state.name().toLowerCase(Locale.ROOT));
        stats.put("startedAt", startedAt.toString());
        stats.put("uptimeSeconds", Duration.between(startedAt, Instant.now()).toSeconds());
        stats.put("engine", engine.name());
        stats.put("transport", transport.name());
        Map<String, Object> lag = new LinkedHashMap<>();
        lag.put("clients", loopLag(transport.clientLag()));
        if (transport.backendLag() != null) {
            lag.put("backends", loopLag(transport.backendLag()));
        }
        stats.put("eventLoopLate", lag);
        Map<String, String> listeners = new LinkedHashMap<>();
        listeners.put("websocket", describe(websocketAddress()));
        listeners.put("text", describe(textAddress()));
        listeners.put("http", describe(httpAddress()));
        stats.put("listeners", listeners);
        TlsConfig tlsConfig = config.get().tls();
        Map<String, Object> tls = new LinkedHashMap<>();
        tls.put("provider", TlsContext.provider());
        tls.put("websocket", tlsStats(tlsConfig.websocket()));
        tls.put("http", tlsStats(tlsConfig.http()));
        tls.put("text", tlsStats(tlsConfig.text()));
        stats.put("tls", tls);
        stats.put("tlsHandshakeFailures", tlsStats.handshakeFailures());
        stats.put("connections", hub.connectionCount());
        stats.put("uids", hub.uidCount());
        stats.put("groups", hub.groupCount());
        stats.put("backendConnections", textPort.connectionCount());
        Map<String, Object> tokens = new LinkedHashMap<>();
        tokens.put("accepted", webSocketStats.tokensAccepted());
        tokens.put("refreshed", webSocketStats.tokensRefreshed());
        webSocketStats
                .tokensRefused()
                .forEach((kind, count) -> tokens.put(kind.name().toLowerCase(Locale.ROOT), count));
        tokens.put("bareUidRefused", webSocketStats.bareUidsRefused());
        stats.put("tokens", tokens);
        stats.put("handshakesInFlight", webSocket.handshakesInFlight());
        stats.put("handshakesRefused", webSocketStats.handshakesRefused());
        stats.put("groupJoinsRefused", hub.joinsRefused());
        stats.put("pushes", pusher.pushCount());
        stats.put("deliveries", hub.deliveryCount());
        stats.put("deliveredBytes", hub.deliveredBytes());
        stats.put("framesReceived", webSocketStats.framesReceived());
        stats.put("framesIgnored", webSocketStats.framesIgnored());
        stats.put("slowConsumersPaused", webSocketStats.paused());
        stats.put("originsRefused", webSocketStats.originsRefused());
        HistoryStats history = engine.historyStats();
        Map<String, Object> streams = new LinkedHashMap<>();
        streams.put("streams", history.streams());
        streams.put("kept", history.publications());
        streams.put("keptBytes", history.bytes());
        streams.put("appended", history.appended());
        streams.put("evicted", history.evicted());
        streams.put("expired", history.expired());
        streams.put("forgotten", history.forgotten());
        stats.put("history", streams);
        streams.put("superseded", history.superseded());
        InboxStats inboxStats = engine.inboxStats();
        Map<String, Object> inbox = new LinkedHashMap<>();
        inbox.put("waiting", inboxStats.waiting());
        inbox.put("waitingBytes", inboxStats.bytes());
        inbox.put("queued", inboxStats.queued());
        inbox.put("refused", inboxStats.refused());
        inbox.put("evicted", inboxStats.evicted());
        inbox.put("expired", inboxStats.expired());
        inbox.put("acked", inboxStats.acked());
        stats.put("inbox", inbox);
        Map<String, Object> v1 = new LinkedHashMap<>();
        v1.put("hellos", webSocketStats.resumes());
        Map<String, Long> answers = new LinkedHashMap<>();
        webSocketStats.recoveries().forEach((kind, count) -> answers.put(kind.wireName(), count));
        v1.put("answers", answers);
        v1.put("acks", webSocketStats.acks());
        v1.put("conflated", webSocketStats.conflated());
        v1.put("invalidMessages", webSocketStats.invalidMessages());
        stats.put("heraldV1", v1);
        if (data != null) {
            StoreStats store = data.journal().stats();
            Map<String, Object> disk = new LinkedHashMap<>();
            disk.put("path", data.journal().path().toString());
            disk.put("fsync", store.fsync());
            disk.put("batches", store.batches());
            disk.put("changes", store.changes());
            disk.put("failures", store.failures());
            disk.put("writeMillis", store.writeNanos() / 1_000_000);
            DataDirectory.Restored restored = data.restored();
            disk.put(
                    "restored",
                    Map.of(
                            "streams", restored.streams(),
                            "messages", restored.messages(),
                            "ids", restored.ids(),
                            "receipts", restored.receipts(),
                            "millis", restored.took().toMillis()));
            stats.put("store", disk);
        }
        Map<String, Long> closes = new LinkedHashMap<>();
        webSocketStats
                .serverCloses()
                .forEach((reason, count) -> closes.put(reason.code() + " " + reason.reason(), count));
        stats.put("serverCloses", closes);
        Map<String, Object> text = new LinkedHashMap<>();
        text.put("lines", textStats.lines());
        text.put("ok", textStats.ok());
        text.put("fail", textStats.fail());
        text.put("error", textStats.error());
        Map<String, Long> errors = new LinkedHashMap<>();
        textStats.errors().forEach((error, count) -> errors.put(error.code(), count));
        text.put("errors", errors);
        text.put("authFailures", textStats.errors(BackendError.UNAUTHORIZED));
        stats.put("text", text);
        Map<String, Object> http = new LinkedHashMap<>();
        http.put("requests", httpStats.requests());
        http.put("ok", httpStats.ok());
        http.put("fail", httpStats.fail());
        http.put("error", httpStats.error());
        Map<String, Long> responses = new LinkedHashMap<>();
        httpStats.responses().forEach((status, count) -> responses.put(String.valueOf(status), count));
        http.put("responses", responses);
        stats.put("http", http);
        return stats;
    }

    /** Milliseconds the loops of a group ran due work late: in all, and the longest lately. */
    private static Map<String, Object> loopLag(LoopLag lag) {
        Map<String, Object> late = new LinkedHashMap<>();
        late.put("totalMs", TimeUnit.NANOSECONDS.toMillis(lag.lateNanos()));
        late.put("recentMaxMs", TimeUnit.NANOSECONDS.toMillis(lag.recentMaxNanos()));
        late.put("maxMs", TimeUnit.NANOSECONDS.toMillis(lag.maxNanos()));
        return late;
    }

    private static Object tlsStats(TlsContext tls) {
        if (!tls.enabled()) {
            return false;
        }
        Map<String, Object> certificate = new LinkedHashMap<>();
        certificate.put("serial", tls.serial().toString(16));
        certificate.put("notAfter", tls.notAfter().toString());
        return certificate;
    }

    /**
     * Drains and stops, waiting at most {@code server.shutdown-timeout}; what is still open then is
     * closed forcibly. Idempotent.
     */
    public synchronized void stop() {
        if (state == State.STOPPED) {
            return;
        }
        state = State.DRAINING;
        long deadline =
                System.nanoTime() + config.get().server().shutdownTimeout().toNanos();
        log.info("draining: {} connections, {} backend connections", hub.connectionCount(), textPort.connectionCount());
        closeListeners();
        textPort.drain().awaitUninterruptibly(remainingMillis(deadline) / 2, TimeUnit.MILLISECONDS);
        webSocket.closeAll(CloseReason.SHUTDOWN);
        while (webSocket.openCount() > 0 && remainingMillis(deadline) > 0) {
            sleepBriefly();
        }
        int left = webSocket.openCount();
        if (left > 0) {
            log.warn("shutdown timeout: closing {} connections forcibly", left);
        }
        transport
                .shutdown(Math.max(remainingMillis(deadline), 100))
                .awaitUninterruptibly(Math.max(remainingMillis(deadline), 100) + 2000, TimeUnit.MILLISECONDS);
        state = State.STOPPED;
        historySweeper.shutdownNow();
        metrics.close();
        closeData();
        log.info("stopped after {} pushes, {} deliveries", pusher.pushCount(), hub.deliveryCount());
    }

    @Override
    public void close() {
        stop();
    }

    /** Writes what the data directory has queued and closes it. */
    private void closeData() {
        if (data != null) {
            data.close();
        }
    }

    private void closeListeners() {
        for (Channel listener : new Channel[] {webSocketListener, textListener, httpListener}) {
            if (listener != null) {
                listener.close().awaitUninterruptibly();
            }
        }
    }

    private static long remainingMillis(long deadline) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code host:port}; a wildcard address prints as {@code 0.0.0.0}. */
    static String describe(InetSocketAddress address) {
        String host = address.getAddress() != null && address.getAddress().isAnyLocalAddress()
                ? "0.0.0.0"
                : address.getHostString();
        return host + ":" + address.getPort();
    }

    private static String versionOf() {
        String version = HeraldServer.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
