package dev.herald.netty.websocket;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerAdapter;

/**
 * A marker at the front of the client pipeline whose context writes pre-encoded frames straight to the
 * socket: a shared broadcast frame is already WebSocket bytes, so walking it through the HTTP and
 * WebSocket encoders (which would pass it on untouched, or compress it again) is skipped: pushes to a
 * compressing connection are shared pre-deflated frames too ({@link WebSocketFrames#deflatedText}).
 * Control frames and the server's own replies still go through the whole pipeline.
 */
@Sharable
final class HeadWriter extends ChannelHandlerAdapter {

    static final String NAME = "head-writer";
    static final HeadWriter INSTANCE = new HeadWriter();

    private HeadWriter() {}
}
