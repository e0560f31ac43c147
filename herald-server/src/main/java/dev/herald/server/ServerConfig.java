package dev.herald.server;

import dev.herald.auth.AuthConfig;
import dev.herald.core.history.HistoryConfig;
import dev.herald.core.history.InboxConfig;
import dev.herald.netty.backend.TextPortConfig;
import dev.herald.netty.http.HttpConfig;
import dev.herald.netty.websocket.WebSocketConfig;

/** Everything Herald is configured with: one immutable tree, built by {@link ConfigLoader}. */
public record ServerConfig(
        WebSocketConfig websocket,
        AuthConfig auth,
        TextPortConfig text,
        HttpConfig http,
        TlsConfig tls,
        ApiConfig api,
        HistoryConfig history,
        InboxConfig inbox,
        IdempotencyConfig idempotency,
        StoreConfig store,
        ProcessConfig server,
        LogConfig log,
        MetricsConfig metrics) {}
