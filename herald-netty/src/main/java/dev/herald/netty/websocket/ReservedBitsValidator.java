package dev.herald.netty.websocket;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * Refuses frames whose RSV bits no negotiated extension took (RFC 6455 §5.2) with 1002.
 *
 * <p>Needed when compression is enabled: the frame decoder then lets RSV bits through on every
 * connection, whether it negotiated permessage-deflate or not. It sits after the extension decoder,
 * which clears RSV1 of the messages it inflates, so any bit still set here is one nothing defines.
 * Stateless.
 */
@Sharable
final class ReservedBitsValidator extends ChannelInboundHandlerAdapter {

    static final ReservedBitsValidator INSTANCE = new ReservedBitsValidator();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof WebSocketFrame frame && frame.rsv() != 0) {
            int rsv = frame.rsv();
            frame.release();
            ctx.fireExceptionCaught(new CorruptedWebSocketFrameException(
                    WebSocketCloseStatus.PROTOCOL_ERROR,
                    "RSV bits " + rsv + " set without an extension defining them"));
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
