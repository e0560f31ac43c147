package dev.herald.netty.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.core.CloseReason;
import dev.herald.core.Message;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebSocketSessionTest {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * Netty drops a channel's outbound buffer as the first step of closing it, while the channel still
     * reads as active, and a channel without one reads as unwritable. A push that lands in that window
     * is not a slow consumer: no WARN, no 4003 counted. Shutting the output down leaves a channel in
     * exactly that state, without a race.
     */
    @Test
    void aChannelThatCanNoLongerBeWrittenIsNotASlowConsumer() throws Exception {
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(io.netty.channel.ChannelHandlerContext ctx) {
                        accepted.complete(ctx.channel());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0))
                .sync()
                .channel();
        Channel client = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true) // keeps the connection up after the server's FIN
                .handler(new ChannelInboundHandlerAdapter())
                .connect(server.localAddress())
                .sync()
                .channel();
        try {
            Channel channel = accepted.get(10, TimeUnit.SECONDS);
            ((DuplexChannel) channel).shutdownOutput().sync();
            assertThat(channel.isActive()).isTrue();
            assertThat(channel.isWritable()).isFalse();

            WebSocketStats stats = new WebSocketStats();
            WebSocketSession session = new WebSocketSession(channel, stats, 0, new LoopOutbox(channel.eventLoop()));
            session.handshaken(channel, WebSocketFrames.TEXT);
            assertThat(session.sendMessage(Message.ofText("late"))).isFalse();
            assertThat(stats.serverCloses().get(CloseReason.SLOW)).isZero();
            assertThat(session.isClosing()).isFalse();
        } finally {
            client.close().sync();
            server.close().sync();
        }
    }

    /**
     * Pushes wait in the loop's outbox until the loop runs; a burst to one connection must still stop
     * at {@code max-outbound-bytes}, not queue without bound because the channel's own buffer is empty.
     */
    @Test
    void framesWaitingInTheOutboxCountTowardsTheSlowConsumerLimit() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(500, 1000));
        WebSocketStats stats = new WebSocketStats();
        WebSocketSession session = new WebSocketSession(channel, stats, 0, fromAnotherThread(channel));
        session.handshaken(channel, WebSocketFrames.TEXT);
        Message message = Message.ofText("x".repeat(98)); // a 100-byte frame

        int accepted = 0;
        while (accepted <= 100 && session.sendMessage(message)) {
            accepted++;
        }

        assertThat(accepted).as("frames accepted before the loop ran").isEqualTo(10);
        assertThat(session.isClosing()).isTrue();
        assertThat(stats.serverCloses().get(CloseReason.SLOW)).isEqualTo(1);
        channel.finishAndReleaseAll();
    }

    /** A kick or stop that reaches a connection after its TCP connection went away closes nothing. */
    @Test
    void aCloseOfAConnectionAlreadyGoneIsNotCountedAsAServerClose() {
        EmbeddedChannel channel = new EmbeddedChannel();
        WebSocketStats stats = new WebSocketStats();
        WebSocketSession session = new WebSocketSession(channel, stats, 0, new LoopOutbox(channel.eventLoop()));
        session.handshaken(channel, WebSocketFrames.TEXT);
        channel.close();

        session.close(CloseReason.KICKED, "bye");
        channel.runPendingTasks();

        assertThat(session.isClosing()).isTrue();
        assertThat(stats.serverCloses().get(CloseReason.KICKED)).isZero();
        assertThat(channel.outboundMessages()).as("no close frame").isEmpty();
        channel.finishAndReleaseAll();
    }

    @Test
    void aServerCloseIsCountedOnceWithItsCode() {
        EmbeddedChannel channel = new EmbeddedChannel();
        WebSocketStats stats = new WebSocketStats();
        WebSocketSession session = new WebSocketSession(channel, stats, 0, new LoopOutbox(channel.eventLoop()));
        session.handshaken(channel, WebSocketFrames.TEXT);

        session.close(CloseReason.KICKED, "bye");
        session.close(CloseReason.SHUTDOWN, "again");
        channel.runPendingTasks();

        assertThat(stats.serverCloses().get(CloseReason.KICKED)).isEqualTo(1);
        assertThat(stats.serverCloses().get(CloseReason.SHUTDOWN)).isZero();
        assertThat(channel.outboundMessages()).as("one close frame").hasSize(1);
        channel.finishAndReleaseAll();
    }

    @Test
    void whatTheLoopWroteNoLongerCountsAsQueued() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(500, 1000));
        WebSocketSession session = new WebSocketSession(channel, new WebSocketStats(), 0, fromAnotherThread(channel));
        session.handshaken(channel, WebSocketFrames.TEXT);
        Message message = Message.ofText("x".repeat(98));

        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 9; i++) {
                assertThat(session.sendMessage(message)).isTrue();
            }
            channel.runPendingTasks(); // the loop writes and flushes: the queue is empty again
            assertThat(channel.outboundMessages()).hasSize(9 * (round + 1));
        }
        assertThat(session.isClosing()).isFalse();
        channel.finishAndReleaseAll();
    }

    /**
     * A push on the connection's own loop with nothing of its own queued is written at once, and
     * flushed when the loop's current work is done, together with the other connections written to.
     */
    @Test
    void aPushOnTheConnectionsOwnLoopIsWrittenAtOnceAndFlushedAfterTheRound() {
        // What reaches the socket is recorded by a handler in front of the writer's context: EmbeddedChannel's
        // own write path would run the loop's pending tasks (the flush) at once.
        List<Object> writes = new ArrayList<>();
        int[] flushes = {0};
        EmbeddedChannel channel = new EmbeddedChannel(
                new ChannelOutboundHandlerAdapter() {
                    @Override
                    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                        writes.add(msg);
                    }

                    @Override
                    public void flush(ChannelHandlerContext ctx) {
                        flushes[0]++;
                    }
                },
                new ChannelOutboundHandlerAdapter());
        WebSocketSession session =
                new WebSocketSession(channel, new WebSocketStats(), 0, new LoopOutbox(channel.eventLoop()));
        session.handshaken(channel.pipeline().lastContext(), WebSocketFrames.TEXT);

        assertThat(session.sendMessage(Message.ofText("now"))).isTrue();
        assertThat(session.sendMessage(Message.ofText("and now"))).isTrue();

        assertThat(writes).as("written at once").hasSize(2);
        assertThat(flushes[0]).as("not flushed yet").isZero();
        channel.runPendingTasks();
        assertThat(flushes[0]).as("one flush for both, after the round").isEqualTo(1);
        writes.forEach(io.netty.util.ReferenceCountUtil::release);
        channel.finishAndReleaseAll();
    }

    /** Once frames of a connection wait in the outbox, a push from its own loop queues behind them. */
    @Test
    void aPushOnTheOwnLoopKeepsItsPlaceBehindQueuedFrames() {
        EmbeddedChannel channel = new EmbeddedChannel();
        boolean[] onLoop = {false};
        LoopOutbox outbox = new LoopOutbox(channel.eventLoop()) {
            @Override
            boolean inLoop() {
                return onLoop[0];
            }
        };
        WebSocketSession session = new WebSocketSession(channel, new WebSocketStats(), 0, outbox);
        session.handshaken(channel, WebSocketFrames.TEXT);

        assertThat(session.sendMessage(Message.ofText("first"))).isTrue(); // from another thread: queued
        onLoop[0] = true;
        assertThat(session.sendMessage(Message.ofText("second"))).isTrue();
        assertThat(channel.outboundMessages())
                .as("nothing overtakes the queued frame")
                .isEmpty();

        channel.runPendingTasks();
        assertThat(channel.outboundMessages()).hasSize(2);
        assertThat(payload(channel.readOutbound())).isEqualTo("first");
        assertThat(payload(channel.readOutbound())).isEqualTo("second");
        channel.finishAndReleaseAll();
    }

    /** An outbox whose sends all seem to come from another thread: frames wait until the loop runs. */
    private static LoopOutbox fromAnotherThread(EmbeddedChannel channel) {
        return new LoopOutbox(channel.eventLoop()) {
            @Override
            boolean inLoop() {
                return false;
            }
        };
    }

    /** The text payload of an unmasked server frame shorter than 126 bytes. */
    private static String payload(Object frame) {
        io.netty.buffer.ByteBuf bytes = (io.netty.buffer.ByteBuf) frame;
        String text = bytes.toString(bytes.readerIndex() + 2, bytes.readableBytes() - 2, StandardCharsets.UTF_8);
        bytes.release();
        return text;
    }
}
