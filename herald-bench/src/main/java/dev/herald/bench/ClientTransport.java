package dev.herald.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/** The tool's event loops: native epoll where it loads, else NIO. */
final class ClientTransport implements AutoCloseable {

    private final EventLoopGroup group;
    private final boolean epoll;

    ClientTransport(int threads) {
        this.epoll = Epoll.isAvailable();
        DefaultThreadFactory factory = new DefaultThreadFactory("bench-io", true);
        this.group = new MultiThreadIoEventLoopGroup(
                threads, factory, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    /** "epoll" or "nio". */
    String name() {
        return epoll ? "epoll" : "nio";
    }

    EventLoopGroup group() {
        return group;
    }

    /** A client bootstrap on these loops, with Nagle off and a 10 s connect timeout. */
    Bootstrap bootstrap() {
        return new Bootstrap()
                .group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
