package dev.herald.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.IntFunction;
import javax.net.ssl.SSLException;

/**
 * The tool's WebSocket clients: opens them (bound to {@link SourceAddresses}, a bounded number of
 * handshakes at a time), counts failures and server closes by reason, and hands every received message
 * to the current {@link MessageSink}. Thread-safe; callbacks run on the event loops.
 */
final class Clients implements AutoCloseable {

    /** Receives every bench message a client gets; runs on an event loop, so it must be quick. */
    @FunctionalInterface
    interface MessageSink {
        /**
         * @param seq the payload's sequence number
         * @param latencyNanos receive time minus the payload's send time
         */
        void onMessage(Client client, long seq, long latencyNanos);
    }

    /** Receives every text or binary message as it is, instead of the {@link MessageSink}; on an event loop. */
    @FunctionalInterface
    interface TextSink {
        void onText(Client client, ByteBuf buf, int from, int to);
    }

    static final MessageSink IGNORE = (client, seq, latencyNanos) -> {};
    static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    private final Bootstrap bootstrap;
    private final Executor executor;
    private final InetSocketAddress remote;
    private final ByteBuf handshake;
    private final String subprotocol;
    private final SourceAddresses sources;
    private final Set<Client> open = ConcurrentHashMap.newKeySet();
    /** With a {@code wss://} URL: the clients' TLS; else null. */
    private final SslContext tls;

    private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    private final Map<String, String> firstFailure = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> serverCloses = new ConcurrentHashMap<>();
    private final LongAdder messages = new LongAdder();
    private final LongAdder foreign = new LongAdder();
    private final LongAdder protocolErrors = new LongAdder();
    private final LongAdder lostAfterOpen = new LongAdder();
    private volatile MessageSink sink = IGNORE;
    private volatile TextSink textSink;
    private volatile Function<Client, String> bindText = client -> client.uid;

    Clients(ClientTransport transport, URI ws, SourceAddresses sources) {
        this(transport, ws, sources, null);
    }

    /** Clients that offer {@code subprotocol} in their handshake (and require it answered), unless null. */
    Clients(ClientTransport transport, URI ws, SourceAddresses sources, String subprotocol) {
        this.subprotocol = subprotocol;
        this.remote = new InetSocketAddress(ws.getHost(), ws.getPort());
        String path = ws.getRawPath() == null || ws.getRawPath().isEmpty() ? "/" : ws.getRawPath();
        if (ws.getRawQuery() != null) {
            path += "?" + ws.getRawQuery();
        }
        this.handshake = Unpooled.unreleasableBuffer(
                Unpooled.wrappedBuffer(ClientFrames.handshake(ws.getHost(), ws.getPort(), path, subprotocol)));
        this.sources = sources;
        this.tls = "wss".equals(ws.getScheme()) ? trustingAnyCertificate() : null;
        this.executor = transport.group();
        this.bootstrap = transport
                .bootstrap()
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(8 * 1024, 32 * 1024));
    }

    /** TLS 1.3 or 1.2 with BoringSSL where it loads (as the server), trusting any certificate: a tool for loopback. */
    private static SslContext trustingAnyCertificate() {
        try {
            return SslContextBuilder.forClient()
                    .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .trustManager(InsecureTrustManagerFactory.INSTANCE)
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build a TLS client context", e);
        }
    }

    void sink(MessageSink sink) {
        this.sink = sink;
    }

    /** Hands every message to {@code textSink} as it is (no bench payload parsing); null: back to the sink. */
    void textSink(TextSink textSink) {
        this.textSink = textSink;
    }

    /** What a client writes as its first text frame once open; by default its uid (the seed's bind). */
    void bindText(Function<Client, String> bindText) {
        this.bindText = bindText;
    }

    String bindText(Client client) {
        return bindText.apply(client);
    }

    /** The subprotocol the clients offer, or null. */
    String subprotocol() {
        return subprotocol;
    }

    /** Connects, handshakes and binds one client; see {@link Client#opened}. */
    Client open(int index, String uid) {
        Client client = new Client(index, uid);
        client.connectStartNanos = Payload.now();
        InetSocketAddress local;
        try {
            local = sources.next();
        } catch (IllegalStateException e) {
            failed(client, new Client.OpenFailure("source-address", e.getMessage(), e));
            return client;
        }
        ChannelFuture connect = bootstrap
                .clone()
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), remote.getHostString(), remote.getPort()));
                        }
                        ch.pipeline()
                                .addLast(new BenchClientHandler(Clients.this, client, handshake, MAX_MESSAGE_BYTES));
                    }
                })
                .connect(remote, local);
        client.channel = connect.channel();
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                failed(client, Client.OpenFailure.of(f.cause()));
            }
        });
        return client;
    }

    /**
     * Opens {@code count} clients, uid {@code uids.apply(i)} for the i-th, at most {@code concurrency}
     * handshakes in flight, and waits for all (each fails by itself within the connect and handshake
     * timeouts). Returns them in index order, failed ones included.
     */
    List<Client> openAll(int count, IntFunction<String> uids, int concurrency) {
        List<Client> all = Collections.synchronizedList(new ArrayList<>(count));
        AtomicInteger next = new AtomicInteger();
        CompletableFuture<Void> done = new CompletableFuture<>();
        AtomicInteger finished = new AtomicInteger();
        Runnable[] launch = new Runnable[1];
        launch[0] = () -> {
            int i = next.getAndIncrement();
            if (i >= count) {
                return;
            }
            Client client = open(i, uids.apply(i));
            all.add(client);
            client.opened.whenComplete((c, e) -> {
                if (finished.incrementAndGet() == count) {
                    done.complete(null);
                }
                executor.execute(launch[0]);
            });
        };
        if (count == 0) {
            return List.of();
        }
        for (int i = 0; i < Math.min(concurrency, count); i++) {
            launch[0].run();
        }
        done.orTimeout(count + 60L, TimeUnit.SECONDS).join();
        List<Client> sorted = new ArrayList<>(all);
        sorted.sort((a, b) -> Integer.compare(a.index, b.index));
        return sorted;
    }

    void opened(Client client) {
        client.openNanos = Payload.now();
        open.add(client);
        if (!client.opened.complete(client)) {
            open.remove(client);
        }
    }

    void failed(Client client, Client.OpenFailure failure) {
        if (client.opened.completeExceptionally(failure)) {
            failures.computeIfAbsent(failure.reason, r -> new LongAdder()).increment();
            firstFailure.putIfAbsent(failure.reason, failure.getMessage());
            Channel channel = client.channel;
            if (channel != null) {
                channel.close();
            }
        }
    }

    void message(Client client, ByteBuf buf, int from, int to, long nowNanos) {
        messages.increment();
        TextSink text = textSink;
        if (text != null) {
            text.onText(client, buf, from, to);
            return;
        }
        long seq = Payload.seq(buf, from, to);
        long ts = Payload.ts(buf, from, to);
        if (seq < 0 || ts < 0) {
            foreign.increment();
            return;
        }
        sink.onMessage(client, seq, nowNanos - ts);
    }

    void serverClosed(Client client, int code) {
        serverCloses.computeIfAbsent(code, c -> new LongAdder()).increment();
    }

    void protocolError(Client client, String what) {
        protocolErrors.increment();
        firstFailure.putIfAbsent("protocol", what);
    }

    void inactive(Client client) {
        client.closedNanos = Payload.now();
        if (open.remove(client)) {
            lostAfterOpen.increment();
            return;
        }
        failed(client, new Client.OpenFailure("closed", "closed by the server before the handshake completed", null));
    }

    /** Closes {@code client} with a close frame (1000) and waits briefly for the TCP close. */
    ChannelFuture close(Client client) {
        Channel channel = client.channel;
        open.remove(client);
        ByteBuf code = Unpooled.buffer(2).writeShort(1000);
        ChannelFuture closed = channel.writeAndFlush(
                        ClientFrames.frame(channel.alloc(), ClientFrames.CLOSE, code, 0, 2))
                .addListener(f -> channel.close());
        code.release();
        return closed;
    }

    /** Clients open now (handshake done, not closed). */
    int openCount() {
        return open.size();
    }

    /** Clients that closed after they had opened (by the server, or a reset) and not by {@link #close}. */
    long closedAfterOpen() {
        return lostAfterOpen.sum();
    }

    /** Failures to open, by reason (refused, timeout, handshake, closed, source-address, open-files, io). */
    Map<String, Long> failures() {
        Map<String, Long> out = new TreeMap<>();
        failures.forEach((reason, count) -> out.put(reason, count.sum()));
        return out;
    }

    long failureCount() {
        return failures.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** The first message of each failure reason, to show what went wrong. */
    Map<String, String> failureExamples() {
        return new TreeMap<>(firstFailure);
    }

    /** Close frames received from the server, by close code. */
    Map<String, Long> serverCloses() {
        Map<String, Long> out = new TreeMap<>();
        serverCloses.forEach((code, count) -> out.put(String.valueOf(code), count.sum()));
        return out;
    }

    /** Messages received in all, bench payloads or not. */
    long messages() {
        return messages.sum();
    }

    /** Messages without a bench {@code seq} and {@code ts}. */
    long foreignMessages() {
        return foreign.sum();
    }

    long protocolErrors() {
        return protocolErrors.sum();
    }

    /** Closes every open client, waiting at most a few seconds. */
    @Override
    public void close() {
        List<ChannelFuture> closing = new ArrayList<>();
        for (Client client : new ArrayList<>(open)) {
            closing.add(close(client));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (ChannelFuture f : closing) {
            f.channel().closeFuture().awaitUninterruptibly(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
    }
}
