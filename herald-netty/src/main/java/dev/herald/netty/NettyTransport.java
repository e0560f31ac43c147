package dev.herald.netty;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
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
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the event loops and opens listeners on them. Uses the native epoll transport where it loads,
 * else NIO. One group serves every listener: accepting is cheap and the loops stay busy with I/O.
 */
public final class NettyTransport implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);

    private final EventLoopGroup group;
    private final Class<? extends ServerChannel> serverChannelClass;
    private final String name;
    private final int threads;

    private NettyTransport(
            EventLoopGroup group, Class<? extends ServerChannel> serverChannelClass, String name, int threads) {
        this.group = group;
        this.threads = threads;
        this.serverChannelClass = serverChannelClass;
        this.name = name;
    }

    /**
     * Starts the event loops.
     *
     * @param ioThreads number of event loops; 0 means one per available processor
     */
    public static NettyTransport start(int ioThreads) {
        int threads = ioThreads > 0 ? ioThreads : Runtime.getRuntime().availableProcessors();
        DefaultThreadFactory threadFactory = new DefaultThreadFactory("herald-io");
        if (Epoll.isAvailable()) {
            return new NettyTransport(
                    group(threads, threadFactory, EpollIoHandler.newFactory()),
                    EpollServerSocketChannel.class,
                    "epoll",
                    threads);
        }
        log.info(
                "native epoll unavailable, using NIO: {}",
                Epoll.unavailabilityCause().toString());
        return new NettyTransport(
                group(threads, threadFactory, NioIoHandler.newFactory()), NioServerSocketChannel.class, "nio", threads);
    }

    private static EventLoopGroup group(int threads, DefaultThreadFactory factory, IoHandlerFactory io) {
        return new MultiThreadIoEventLoopGroup(threads, factory, io);
    }

    /** "epoll" or "nio". */
    public String name() {
        return name;
    }

    /** Number of event loops. */
    public int threads() {
        return threads;
    }

    public EventLoopGroup group() {
        return group;
    }

    /**
     * Binds a listener and waits until it listens.
     *
     * @throws ListenException if the address cannot be bound (in use, not local, no permission)
     */
    public Channel listen(
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
        return group.shutdownGracefully(0, Math.max(timeoutMillis, 1), TimeUnit.MILLISECONDS);
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
