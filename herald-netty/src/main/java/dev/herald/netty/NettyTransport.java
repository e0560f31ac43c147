package dev.herald.netty;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultSelectStrategyFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.PromiseCombiner;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the event loops and opens listeners on them. Uses the native epoll transport where it loads,
 * else NIO.
 *
 * <p>Two groups of loops: the client loops hold the WebSocket connections (and their listener), the
 * backend loops hold the Text port's and the HTTP API's. A reconnect storm makes thousands of client
 * sockets ready at once, and a loop serves its ready sockets in the order they became ready: a backend
 * connection on the same loop would wait behind all of them before its next push line is read (880 ms
 * in a 10,000-client storm, measured). On loops of their own, backends are read at once whatever the
 * clients do, and their pushes reach the client loops as tasks, which a client loop runs between
 * batches of at most {@link #MAX_EVENTS} ready sockets. With {@code backendThreads} 0 both share the
 * client loops, as before.
 */
public final class NettyTransport implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);

    /**
     * Ready sockets one epoll loop serves before it runs its queued tasks (the pushes other loops hand
     * it) and asks the kernel again. Netty's default serves up to 4,096 and grows; in a storm each costs
     * a handshake or a refusal (about 100 us), so a push waited hundreds of milliseconds behind one
     * batch. Sockets left ready stay in the kernel's ready list and come first next time.
     */
    static final int MAX_EVENTS = 64;

    private final EventLoopGroup clients;
    private final EventLoopGroup backends;
    private final Class<? extends ServerChannel> serverChannelClass;
    private final String name;
    private final int threads;
    private final int backendThreads;
    private final LoopLag clientLag;
    /** {@code null} when backends share the client loops. */
    private final LoopLag backendLag;

    private NettyTransport(
            EventLoopGroup clients,
            EventLoopGroup backends,
            Class<? extends ServerChannel> serverChannelClass,
            String name,
            int threads,
            int backendThreads) {
        this.clients = clients;
        this.backends = backends;
        this.threads = threads;
        this.backendThreads = backendThreads;
        this.serverChannelClass = serverChannelClass;
        this.name = name;
        this.clientLag = LoopLag.watch(clients);
        this.backendLag = backends == clients ? null : LoopLag.watch(backends);
    }

    /**
     * Starts the event loops, clients and backends sharing them.
     *
     * @param ioThreads number of event loops; 0 means one per available processor
     */
    public static NettyTransport start(int ioThreads) {
        return start(ioThreads, 0);
    }

    /**
     * Starts the event loops.
     *
     * @param ioThreads client event loops; 0 means one per available processor
     * @param backendThreads event loops of the Text port and the HTTP API; 0: they share the client loops
     */
    public static NettyTransport start(int ioThreads, int backendThreads) {
        int threads = ioThreads > 0 ? ioThreads : Runtime.getRuntime().availableProcessors();
        boolean epoll = Epoll.isAvailable();
        if (!epoll) {
            log.info(
                    "native epoll unavailable, using NIO: {}",
                    Epoll.unavailabilityCause().toString());
        }
        EventLoopGroup clients = group(threads, "herald-io", epoll);
        EventLoopGroup backends = backendThreads > 0 ? group(backendThreads, "herald-backend", epoll) : clients;
        return new NettyTransport(
                clients,
                backends,
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class,
                epoll ? "epoll" : "nio",
                threads,
                backendThreads);
    }

    private static EventLoopGroup group(int threads, String name, boolean epoll) {
        IoHandlerFactory io = epoll
                ? EpollIoHandler.newFactory(MAX_EVENTS, DefaultSelectStrategyFactory.INSTANCE)
                : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name), io);
    }

    /** "epoll" or "nio". */
    public String name() {
        return name;
    }

    /** Number of client event loops. */
    public int threads() {
        return threads;
    }

    /** Number of backend event loops; 0 when backends share the client loops. */
    public int backendThreads() {
        return backendThreads;
    }

    /** How late the client loops run what is due. */
    public LoopLag clientLag() {
        return clientLag;
    }

    /** How late the backend loops run what is due; {@code null} when backends share the client loops. */
    public LoopLag backendLag() {
        return backendLag;
    }

    /** The client event loops. */
    public EventLoopGroup group() {
        return clients;
    }

    /**
     * Binds a listener whose connections are clients (WebSocket) and waits until it listens.
     *
     * @throws ListenException if the address cannot be bound (in use, not local, no permission)
     */
    public Channel listen(
            String what,
            InetSocketAddress address,
            ChannelInitializer<Channel> initializer,
            WriteBufferWaterMark watermark) {
        return listen(clients, what, address, initializer, watermark);
    }

    /**
     * Binds a listener whose connections are backends (the Text port, the HTTP API), on the backend
     * loops, and waits until it listens.
     *
     * @throws ListenException if the address cannot be bound (in use, not local, no permission)
     */
    public Channel listenForBackends(
            String what,
            InetSocketAddress address,
            ChannelInitializer<Channel> initializer,
            WriteBufferWaterMark watermark) {
        return listen(backends, what, address, initializer, watermark);
    }

    private Channel listen(
            EventLoopGroup group,
            String what,
            InetSocketAddress address,
            ChannelInitializer<Channel> initializer,
            WriteBufferWaterMark watermark) {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(serverChannelClass)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, watermark)
                .childHandler(initializer);
        ChannelFuture bound = bootstrap.bind(address).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new ListenException(what, address, bound.cause());
        }
        return bound.channel();
    }

    /** Direct memory held by Netty's default buffer allocator, in bytes; -1 if it does not tell. */
    public static long usedDirectMemory() {
        return ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider
                ? provider.metric().usedDirectMemory()
                : -1;
    }

    /** Heap memory held by Netty's default buffer allocator, in bytes; -1 if it does not tell. */
    public static long usedHeapMemory() {
        return ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider
                ? provider.metric().usedHeapMemory()
                : -1;
    }

    /** Stops the event loops, waiting up to {@code timeoutMillis} for queued work. */
    public Future<?> shutdown(long timeoutMillis) {
        long timeout = Math.max(timeoutMillis, 1);
        Future<?> clientsDone = clients.shutdownGracefully(0, timeout, TimeUnit.MILLISECONDS);
        if (backends == clients) {
            return clientsDone;
        }
        Promise<Void> both = ImmediateEventExecutor.INSTANCE.newPromise();
        PromiseCombiner combiner = new PromiseCombiner(ImmediateEventExecutor.INSTANCE);
        combiner.add(clientsDone);
        combiner.add(backends.shutdownGracefully(0, timeout, TimeUnit.MILLISECONDS));
        combiner.finish(both);
        return both;
    }

    @Override
    public void close() {
        shutdown(2000).syncUninterruptibly();
    }

    /** A listener could not be opened. */
    public static final class ListenException extends RuntimeException {
        public ListenException(String what, InetSocketAddress address, Throwable cause) {
            super(
                    "cannot listen for " + what + " on " + address.getHostString() + ":" + address.getPort() + ": "
                            + (cause.getMessage() == null ? cause.toString() : cause.getMessage()),
                    cause);
        }
    }
}
