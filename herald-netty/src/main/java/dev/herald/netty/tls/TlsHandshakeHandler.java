package dev.herald.netty.tls;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Right after the {@code SslHandler}: a failed or timed-out handshake (not TLS at all, a protocol not
 * offered, a client that refused the certificate) is counted, logged at DEBUG and closed, without
 * reaching the handlers behind it. After a successful handshake it leaves the pipeline.
 */
@ChannelHandler.Sharable
public final class TlsHandshakeHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(TlsHandshakeHandler.class);

    private final TlsStats stats;

    public TlsHandshakeHandler(TlsStats stats) {
        this.stats = stats;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent handshake) {
            if (handshake.isSuccess()) {
                ctx.pipeline().remove(this);
                ctx.fireUserEventTriggered(evt);
            } else {
                stats.handshakeFailed();
                if (log.isDebugEnabled()) {
                    log.debug(
                            "TLS handshake failed from {}: {}",
                            ctx.channel().remoteAddress(),
                            String.valueOf(handshake.cause()));
                }
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof SSLException
                || (cause instanceof DecoderException && cause.getCause() instanceof SSLException)) {
            ctx.close(); // counted and logged with the handshake's completion event
            return;
        }
        ctx.fireExceptionCaught(cause);
    }
}
