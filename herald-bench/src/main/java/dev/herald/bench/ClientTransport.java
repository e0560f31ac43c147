package dev.herald.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The tool's event loops, native epoll where it loads, else NIO: {@code threads} loops for the
 * WebSocket clients, and for the backend connections (and the pacer, which writes on their loop)
 * either one loop of their own or, {@code shared}, the first client loop.
 *
 * <p>An own loop never lets a send wait behind the clients' reading: right for fan-out, where reading
 * a broadcast keeps the client loop busy for tens of milliseconds. A shared loop keeps the tool to one
 * busy thread, so that on a small machine the tool and the server each have a core, and nothing of the
 * tool waits for a CPU in between: the lower floor for targeted pushes, whose reads are short. When a
 * shared loop is too busy to send on time, the step's achieved rate shows it.
 */
final class ClientTransport implements AutoCloseable {

    private final EventLoopGroup group;
    private final EventLoopGroup backendGroup;
    private final boolean shared;
    private final boolean epoll;

    ClientTransport(int threads, boolean shared) {
        this.epoll = Epoll.isAvailable();
        this.shared = shared;
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("bench-io", true), ioHandler());
        this.backendGroup = shared
                ? group.next()
                : new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("bench-backend", true), ioHandler());
    }

    /** Whether the backends share the first client loop. */
    boolean sharedLoop() {
        return shared;
    }

    private IoHandlerFactory ioHandler() {
        return epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    /** "epoll" or "nio". */
    String name() {
        return epoll ? "epoll" : "nio";
    }

    EventLoopGroup group() {
        return group;
    }

    /** A bootstrap for WebSocket clients, with Nagle off and a 10 s connect timeout. */
    Bootstrap bootstrap() {
        return bootstrap(group);
    }

    /** A bootstrap for backend connections, all on one event loop (their own, or the shared one). */
    Bootstrap backendBootstrap() {
        return bootstrap(backendGroup);
    }

    private Bootstrap bootstrap(EventLoopGroup loops) {
        Bootstrap bootstrap = new Bootstrap()
                .group(loops)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
        if (epoll) {
            // Clients bind a source address before connecting. Without this the kernel picks the port
            // at bind time, searching the whole ephemeral range for one no other socket of that address
            // holds (slow, on the event loop, with thousands open); with it, at connect time, where
            // only the four-tuple must be unique.
            bootstrap.option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
        }
        return bootstrap;
    }

    @Override
    public void close() {
        if (!shared) {
            backendGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        backendGroup.terminationFuture().awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
