package dev.herald.netty.websocket;

import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandshaker;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import java.util.HashMap;
import java.util.Map;

/**
 * permessage-deflate (RFC 7692) that never keeps compressor state between messages.
 *
 * <p>Every accepted offer gets {@code server_no_context_takeover}, which RFC 7692 §7.1.1.1 lets a
 * server add even when the client did not ask: the deflater lives for one message only, so an idle
 * connection holds no compressor memory. {@code client_no_context_takeover} is accepted when offered.
 * Offers that ask for a smaller server window are declined (the JDK deflater uses 15 bits), and the
 * inflater is bounded by {@code maxMessageBytes} of output.
 */
final class NoContextDeflateHandshaker implements WebSocketServerExtensionHandshaker {

    private static final String PERMESSAGE_DEFLATE = "permessage-deflate";
    private static final String SERVER_NO_CONTEXT_TAKEOVER = "server_no_context_takeover";

    private final PerMessageDeflateServerExtensionHandshaker delegate;

    NoContextDeflateHandshaker(int compressionLevel, int maxMessageBytes) {
        this.delegate = new PerMessageDeflateServerExtensionHandshaker(
                compressionLevel, false, 15, true, true, maxMessageBytes);
    }

    @Override
    public WebSocketServerExtension handshakeExtension(WebSocketExtensionData offer) {
        if (!PERMESSAGE_DEFLATE.equals(offer.name())) {
            return null;
        }
        Map<String, String> parameters = new HashMap<>(offer.parameters());
        parameters.put(SERVER_NO_CONTEXT_TAKEOVER, null);
        return delegate.handshakeExtension(new WebSocketExtensionData(offer.name(), parameters));
    }
}
