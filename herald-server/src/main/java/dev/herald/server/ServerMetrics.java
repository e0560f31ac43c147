package dev.herald.server;

import dev.herald.core.CloseReason;
import dev.herald.core.Hub;
import dev.herald.core.auth.AuthException;
import dev.herald.core.engine.Engine;
import dev.herald.core.history.InboxStats;
import dev.herald.core.history.Recovery;
import dev.herald.netty.LoopLag;
import dev.herald.netty.NettyTransport;
import dev.herald.netty.backend.TextPortStats;
import dev.herald.netty.http.HttpStats;
import dev.herald.netty.tls.TlsStats;
import dev.herald.netty.websocket.WebSocketStats;
import dev.herald.protocol.backend.BackendError;
import dev.herald.store.RocksJournal;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongConsumer;
import java.util.function.ToDoubleFunction;

/**
 * The server's Prometheus metrics ({@code GET /metrics}), through Micrometer. The counters are function
 * counters and gauges over the numbers the core and the adapters keep anyway for {@code /stats}, so
 * nothing is counted twice and the hot paths do not know Micrometer; the one meter recorded directly is
 * the push-to-write latency timer. JVM and process basics come from Micrometer's binders.
 *
 * <p>Names, types and labels are listed in the README ("Metrics, health and reload"). Every label has a
 * bounded set of values: adapters, results, close codes, error codes and HTTP statuses the server sends.
 */
final class ServerMetrics implements AutoCloseable {

    private static final String HANDSHAKES_REFUSED =
            "WebSocket handshakes refused: origin (403, websocket.allowed-origins); max_connections, in_flight, rate (503), per_ip (429): admission control";

    /** Buckets of the latency histogram: 100 µs to 10 s. */
    private static final Duration[] LATENCY_BUCKETS = {
        Duration.ofNanos(100_000),
        Duration.ofNanos(250_000),
        Duration.ofNanos(500_000),
        Duration.ofMillis(1),
        Duration.ofNanos(2_500_000),
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(25),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofMillis(2500),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10)
    };

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer writeLatency;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Set<Integer> httpStatuses = ConcurrentHashMap.newKeySet();
    private volatile HttpStats http;

    ServerMetrics() {
        writeLatency = Timer.builder("herald.push.write.latency")
                .description("Time from a push accepted (its message created) to its frame written to a client's"
                        + " socket; measured on a sample of writes")
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** Receives push-to-write latencies in nanoseconds (see {@link WebSocketStats}). */
    LongConsumer writeLatency() {
        return nanos -> writeLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Failed TLS handshakes on the WebSocket and HTTP listeners. */
    void bindTls(TlsStats tls) {
        FunctionCounter.builder("herald.tls.handshake.failures", tls, TlsStats::handshakeFailures)
                .description("Connections to a TLS listener closed because the TLS handshake failed or timed out"
                        + " (not TLS, a protocol or cipher not offered, the certificate refused)")
                .register(registry);
    }

    /** Binds the meters of history and of {@code herald.v1} clients. */
    /** The data directory's writer: batches, changes, failures, and each batch's write (and sync) time. */
    void bindStore(RocksJournal journal) {
        FunctionCounter.builder("herald.store.batches", journal, j -> j.stats().batches())
                .description("Batches written to the data directory (one write, and with store.fsync one sync, each)")
                .register(registry);
        FunctionCounter.builder("herald.store.changes", journal, j -> j.stats().changes())
                .description("Changes written to the data directory (appends, removals, positions, ids, receipts)")
                .register(registry);
        FunctionCounter.builder("herald.store.failures", journal, j -> j.stats().failures())
                .description("Batches that could not be written to the data directory")
                .register(registry);
        Timer batch = Timer.builder("herald.store.batch")
                .description("Time to write (and with store.fsync sync) one batch of changes")
                .publishPercentiles(0.5, 0.99, 0.999)
                .register(registry);
        journal.onBatch(nanos -> batch.record(nanos, TimeUnit.NANOSECONDS));
    }

    void bindHistory(Engine engine, WebSocketStats webSocket) {
        Gauge.builder("herald.history.streams", engine, e -> e.historyStats().streams())
                .description("Streams whose position (epoch, offset) is remembered")
                .register(registry);
        Gauge.builder("herald.history.messages", engine, e -> e.historyStats().publications())
                .description("Messages kept in history")
                .register(registry);
        Gauge.builder("herald.history.kept", engine, e -> e.historyStats().bytes())
                .description("What the kept messages cost history.max-bytes (payload + 128 bytes each)")
                .baseUnit("bytes")
                .register(registry);
        FunctionCounter.builder(
                        "herald.history.appended", engine, e -> e.historyStats().appended())
                .description("Messages given a position in a stream")
                .register(registry);
        FunctionCounter.builder(
                        "herald.history.dropped", engine, e -> e.historyStats().evicted())
                .description(
                        "Kept messages dropped: evicted for history.size or history.max-bytes, expired at history.ttl")
                .tag("reason", "evicted")
                .register(registry);
        FunctionCounter.builder(
                        "herald.history.dropped", engine, e -> e.historyStats().expired())
                .description(
                        "Kept messages dropped: evicted for history.size or history.max-bytes, expired at history.ttl")
                .tag("reason", "expired")
                .register(registry);
        FunctionCounter.builder(
                        "herald.history.forgotten",
                        engine,
                        e -> e.historyStats().forgotten())
                .description("Streams whose position was forgotten (history.meta-ttl, history.max-streams)")
                .register(registry);
        Gauge.builder("herald.inbox.messages", engine, e -> e.inboxStats().waiting())
                .description("Messages waiting in inboxes for an ack")
                .register(registry);
        Gauge.builder("herald.inbox.waiting", engine, e -> e.inboxStats().bytes())
                .description("What the waiting messages cost inbox.max-bytes (payload + 128 bytes each)")
                .baseUnit("bytes")
                .register(registry);
        inbox("queued", "Messages put in an inbox", engine, InboxStats::queued);
        inbox(
                "refused",
                "Messages with a ttl that found inbox.max-bytes spent and did not wait",
                engine,
                InboxStats::refused);
        inbox("evicted", "Waiting messages pushed out by a newer one (inbox.max-per-uid)", engine, InboxStats::evicted);
        inbox("expired", "Waiting messages dropped at their ttl", engine, InboxStats::expired);
        inbox("acked", "Waiting messages acked by a client", engine, InboxStats::acked);
        FunctionCounter.builder(
                        "herald.history.superseded",
                        engine,
                        e -> e.historyStats().superseded())
                .description("Kept or waiting messages replaced by a newer one with the same key")
                .register(registry);
        for (Recovery.Kind kind : Recovery.Kind.values()) {
            FunctionCounter.builder(
                            "herald.resumes",
                            webSocket,
                            stats -> stats.recoveries().get(kind))
                    .description("Streams answered in herald.v1 hellos, by answer")
                    .tag("answer", kind.wireName())
                    .register(registry);
        }
        FunctionCounter.builder("herald.acks", webSocket, WebSocketStats::acks)
                .description("herald.v1 acks received")
                .register(registry);
        FunctionCounter.builder("herald.invalid.client.messages", webSocket, WebSocketStats::invalidMessages)
                .description("herald.v1 client messages refused (error answer, or close 4502)")
                .register(registry);
    }

    /** One event of the inbox ({@code description} is for the reader of this code: Prometheus has one per name). */
    private void inbox(String event, String description, Engine engine, ToDoubleFunction<InboxStats> count) {
        FunctionCounter.builder("herald.inbox.events", engine, e -> count.applyAsDouble(e.inboxStats()))
                .description("Inbox events: queued, refused (inbox.max-bytes spent), evicted (inbox.max-per-uid),"
                        + " expired, acked")
                .tag("event", event)
                .register(registry);
    }

    /** Binds the lateness of a group of event loops ({@code loops}: clients or backends). */
    void bindLoopLag(String loops, LoopLag lag) {
        FunctionCounter.builder("herald.event.loop.late", lag, l -> l.lateNanos() / 1e9)
                .description(
                        "Total time the event loops ran due work late (a stall adds its length): busy loops, collector pauses")
                .baseUnit("seconds")
                .tag("loops", loops)
                .register(registry);
        Gauge.builder("herald.event.loop.late.max", lag, l -> l.recentMaxNanos() / 1e9)
                .description("The longest an event loop ran due work late in the last 10 to 20 seconds")
                .baseUnit("seconds")
                .tag("loops", loops)
                .register(registry);
    }

    /** Binds the meters to the server's counters. */
    void bind(Hub hub, WebSocketStats webSocket, TextPortStats text, IntSupplier textConnections, HttpStats http) {
        this.http = http;
        gauge("herald.connections", "Open client connections (WebSocket handshake done)", hub, Hub::connectionCount);
        gauge("herald.uids", "Uids with at least one connection", hub, Hub::uidCount);
        gauge("herald.groups", "Groups with at least one member", hub, Hub::groupCount);
        FunctionCounter.builder("herald.group.joins.refused", hub, Hub::joinsRefused)
                .description("Joins refused because a uid is in api.max-groups-per-uid groups already")
                .register(registry);
        Gauge.builder("herald.backend.connections", textConnections, IntSupplier::getAsInt)
                .description("Open backend connections")
                .tag("adapter", "text")
                .strongReference(true)
                .register(registry);

        pushes("text", "ok", text, TextPortStats::ok);
        pushes("text", "fail", text, TextPortStats::fail);
        pushes("text", "error", text, TextPortStats::error);
        pushes("http", "ok", http, HttpStats::ok);
        pushes("http", "fail", http, HttpStats::fail);
        pushes("http", "error", http, HttpStats::error);

        FunctionCounter.builder("herald.delivered.messages", hub, Hub::deliveryCount)
                .description("Messages queued on client connections, one per connection reached")
                .register(registry);
        FunctionCounter.builder("herald.delivered", hub, Hub::deliveredBytes)
                .description("Payload bytes queued on client connections")
                .baseUnit("bytes")
                .register(registry);
        FunctionCounter.builder("herald.frames.received", webSocket, WebSocketStats::framesReceived)
                .description("Data messages received from clients (after reassembly)")
                .register(registry);
        FunctionCounter.builder("herald.frames.ignored", webSocket, WebSocketStats::framesIgnored)
                .description("Data messages received after the bind, which the seed protocol ignores")
                .register(registry);
        for (CloseReason reason : CloseReason.values()) {
            FunctionCounter.builder("herald.server.closes", webSocket, stats -> stats.serverCloses(reason))
                    .description("Client connections the server closed, by close code")
                    .tag("code", String.valueOf(reason.code()))
                    .register(registry);
        }
        FunctionCounter.builder("herald.slow.consumers", webSocket, WebSocketStats::paused)
                .description("Slow consumers: paused when a client's queue reaches websocket.max-outbound-bytes,"
                        + " closed (4003) when a push finds it full")
                .tag("action", "paused")
                .register(registry);
        FunctionCounter.builder("herald.slow.consumers", webSocket, stats -> stats.serverCloses(CloseReason.SLOW))
                .description("Slow consumers: paused when a client's queue reaches websocket.max-outbound-bytes,"
                        + " closed (4003) when a push finds it full")
                .tag("action", "closed")
                .register(registry);
        FunctionCounter.builder("herald.handshakes.refused", webSocket, WebSocketStats::originsRefused)
                .description(HANDSHAKES_REFUSED)
                .tag("reason", "origin")
                .register(registry);
        for (String reason : WebSocketStats.ADMISSION_REFUSALS) {
            FunctionCounter.builder("herald.handshakes.refused", webSocket, stats -> stats.handshakesRefused(reason))
                    .description(HANDSHAKES_REFUSED)
                    .tag("reason", reason)
                    .register(registry);
        }
        String tokens = "Connect tokens: accepted at bind, refreshed, refused (invalid, expired, unavailable keys),"
                + " and bare uids refused while tokens are required";
        FunctionCounter.builder("herald.tokens", webSocket, WebSocketStats::tokensAccepted)
                .description(tokens)
                .tag("result", "accepted")
                .register(registry);
        FunctionCounter.builder("herald.tokens", webSocket, WebSocketStats::tokensRefreshed)
                .description(tokens)
                .tag("result", "refreshed")
                .register(registry);
        for (AuthException.Kind kind : AuthException.Kind.values()) {
            FunctionCounter.builder(
                            "herald.tokens",
                            webSocket,
                            stats -> stats.tokensRefused().get(kind))
                    .description(tokens)
                    .tag("result", kind.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
        FunctionCounter.builder("herald.tokens", webSocket, WebSocketStats::bareUidsRefused)
                .description(tokens)
                .tag("result", "bare_uid_refused")
                .register(registry);

        FunctionCounter.builder("herald.text.lines", text, TextPortStats::lines)
                .description("Lines received on the Text port")
                .register(registry);
        for (BackendError error : BackendError.values()) {
            FunctionCounter.builder("herald.text.errors", text, stats -> stats.errors(error))
                    .description("Seed lines answered with error, by code")
                    .tag("code", error.code())
                    .register(registry);
        }
        FunctionCounter.builder("herald.http.requests", http, HttpStats::requests)
                .description("HTTP requests received")
                .register(registry);

        Gauge.builder("herald.netty.memory.used", NettyTransport::usedDirectMemory)
                .description("Memory held by Netty's buffer allocator")
                .baseUnit("bytes")
                .tag("area", "direct")
                .register(registry);
        Gauge.builder("herald.netty.memory.used", NettyTransport::usedHeapMemory)
                .description("Memory held by Netty's buffer allocator")
                .baseUnit("bytes")
                .tag("area", "heap")
                .register(registry);
    }

    /** The exposition text, version 0.0.4. */
    String scrape() {
        HttpStats http = this.http;
        if (http != null) {
            // A counter per status the server has sent so far: a small set, known only as it is used.
            for (int status : http.responses().keySet()) {
                if (!httpStatuses.add(status)) {
                    continue;
                }
                FunctionCounter.builder("herald.http.responses", http, stats -> stats.responses(status))
                        .description("HTTP responses sent, by status")
                        .tag("status", String.valueOf(status))
                        .register(registry);
            }
        }
        return registry.scrape();
    }

    MeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }

    private void gauge(String name, String description, Hub hub, ToDoubleFunction<Hub> value) {
        Gauge.builder(name, hub, value)
                .description(description)
                .strongReference(true)
                .register(registry);
    }

    private <T> void pushes(String adapter, String result, T stats, ToDoubleFunction<T> count) {
        FunctionCounter.builder("herald.pushes", stats, count)
                .description("Pushes by adapter and result: ok reached a connection, fail reached none, error was"
                        + " refused or failed")
                .tag("adapter", adapter)
                .tag("result", result)
                .register(registry);
    }
}
