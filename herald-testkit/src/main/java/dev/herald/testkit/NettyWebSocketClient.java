package dev.herald.testkit;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionDecoder;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketClientCompressionHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.URI;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Netty WebSocket client for tests: optional permessage-deflate, frames sent as given (including
 * fragments), and a count of compressed frames received (RSV1 set on the wire).
 */
public final class NettyWebSocketClient implements AutoCloseable {

    private static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("test-ws-client", true), NioIoHandler.newFactory());

    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final AtomicInteger compressedFrames = new AtomicInteger();
    private final CompletableFuture<Void> handshake = new CompletableFuture<>();
    private Channel channel;

    private NettyWebSocketClient() {}

    /** Connects and waits for the handshake; {@code compression} offers permessage-deflate. */
    public static NettyWebSocketClient connect(URI uri, boolean compression) {
        NettyWebSocketClient client = new NettyWebSocketClient();
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri)
                .allowExtensions(compression)
                .handleCloseFrames(false)
                .maxFramePayloadLength(16 * 1024 * 1024)
                .build();
        client.channel = new Bootstrap()
                .group(GROUP)
                .channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ChannelPipeline p = ch.pipeline();
                        p.addLast(new HttpClientCodec(), new HttpObjectAggregator(65536));
                        if (compression) {
                            p.addLast(new WebSocketClientCompressionHandler(0));
                        }
                        p.addLast(new WebSocketClientProtocolHandler(config));
                        p.addLast(client.new Recorder());
                    }
                })
                .connect(uri.getHost(), uri.getPort())
                .syncUninterruptibly()
                .channel();
        client.handshake.orTimeout(10, TimeUnit.SECONDS).join();
        return client;
    }

    /** Whether permessage-deflate was negotiated. */
    public boolean compressionNegotiated() {
        return channel.pipeline().get(WebSocketExtensionDecoder.class) != null;
    }

    /** Frames received with RSV1 set (compressed). */
    public int compressedFrames() {
        return compressedFrames.get();
    }

    public NettyWebSocketClient send(WebSocketFrame frame) {
        channel.writeAndFlush(frame).syncUninterruptibly();
        return this;
    }

    public NettyWebSocketClient sendText(String text) {
        return send(new TextWebSocketFrame(text));
    }

    public String awaitMessage() {
        Object event = next();
        if (!(event instanceof String text)) {
            throw new AssertionError("expected a message, got " + event);
        }
        return text;
    }

    public WebSocketRecorder.Close awaitClose() {
        Object event = next();
        if (!(event instanceof WebSocketRecorder.Close close)) {
            throw new AssertionError("expected a close, got " + event);
        }
        return close;
    }

    private Object next() {
        try {
            Object event = events.poll(WebSocketRecorder.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (event == null) {
                throw new AssertionError("nothing received within " + WebSocketRecorder.TIMEOUT);
            }
            return event;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }

    private final class Recorder extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                ctx.pipeline().addAfter("ws-decoder", "rsv-counter", new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext c, Object msg) {
                        if (msg instanceof WebSocketFrame frame && (frame.rsv() & 0x4) != 0) {
                            compressedFrames.incrementAndGet();
                        }
                        c.fireChannelRead(msg);
                    }
                });
                handshake.complete(null);
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame text) {
                events.add(text.text());
            } else if (frame instanceof CloseWebSocketFrame close) {
                events.add(new WebSocketRecorder.Close(close.statusCode(), close.reasonText()));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            handshake.completeExceptionally(cause);
            events.add(cause);
            ctx.close();
        }
    }
}
