package dev.herald.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.WriteBufferWaterMark;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NettyTransportTest {

    private static final WriteBufferWaterMark WATERMARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    @Test
    void backendConnectionsRunOnTheirOwnLoopsAndClientsOnTheClientLoops() throws Exception {
        try (NettyTransport transport = NettyTransport.start(2, 1)) {
            assertThat(transport.threads()).isEqualTo(2);
            assertThat(transport.backendThreads()).isEqualTo(1);
            assertThat(threadOfAConnection(transport, false)).startsWith("herald-io-");
            assertThat(threadOfAConnection(transport, true)).startsWith("herald-backend-");
        }
    }

    @Test
    void withNoBackendThreadsBackendsShareTheClientLoops() throws Exception {
        try (NettyTransport transport = NettyTransport.start(1, 0)) {
            assertThat(transport.backendThreads()).isZero();
            assertThat(threadOfAConnection(transport, true)).startsWith("herald-io-");
        }
    }

    /** Opens a listener of either kind, connects to it, and answers the thread its connection runs on. */
    private static String threadOfAConnection(NettyTransport transport, boolean backend) throws Exception {
        CompletableFuture<String> thread = new CompletableFuture<>();
        ChannelInitializer<Channel> initializer = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel channel) {
                thread.complete(Thread.currentThread().getName());
            }
        };
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        Channel listener = backend
                ? transport.listenForBackends("test", any, initializer, WATERMARK)
                : transport.listen("test", any, initializer, WATERMARK);
        try (Socket socket = new Socket()) {
            socket.connect(listener.localAddress(), 5000);
            return thread.get(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new AssertionError("could not connect to the listener", e);
        } finally {
            listener.close().syncUninterruptibly();
        }
    }
}
