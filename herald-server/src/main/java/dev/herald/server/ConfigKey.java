package dev.herald.server;

import java.util.List;
import java.util.Locale;

/**
 * One configuration key: its dotted name (YAML path and {@code --flag}), its environment variable, its
 * default and what it means. {@link #ALL} is the one list that the loader, the CLI and the README
 * share.
 */
public record ConfigKey(String name, String defaultValue, String description) {

    public static final List<ConfigKey> ALL = List.of(
            new ConfigKey("websocket.host", "0.0.0.0", "Address of the WebSocket listener."),
            new ConfigKey("websocket.port", "1234", "Port of the WebSocket listener (0 picks a free port)."),
            new ConfigKey(
                    "websocket.max-message-bytes",
                    "64KiB",
                    "Largest client message (after reassembling fragments and decompressing); larger ones close with 1009."),
            new ConfigKey(
                    "websocket.max-uid-bytes", "128", "Longest uid, in UTF-8 bytes; longer ones close with 4500."),
            new ConfigKey(
                    "websocket.compression",
                    "false",
                    "Offer permessage-deflate (RFC 7692), with no context takeover on the server side."),
            new ConfigKey("websocket.compression-level", "6", "Deflate level 1-9 when compression is on."),
            new ConfigKey(
                    "websocket.ping-interval", "25s", "Ping a connection after this long without a frame from it."),
            new ConfigKey(
                    "websocket.pong-timeout", "10s", "Close a pinged connection (4002) that stays silent this long."),
            new ConfigKey(
                    "websocket.bind-timeout",
                    "10s",
                    "Close a connection (4001) that sends no uid this long after connecting."),
            new ConfigKey(
                    "websocket.max-outbound-bytes",
                    "1MiB",
                    "Bytes queued for one connection beyond which it is closed as a slow consumer (4003)."),
            new ConfigKey(
                    "websocket.client-groups",
                    "false",
                    "Let a bound client join and leave groups itself by sending join <group> or leave <group>."),
            new ConfigKey(
                    "websocket.allowed-origins",
                    "",
                    "Origins whose pages may connect (https://app.example.com, *.example.com); others get 403. Empty: any."),
            new ConfigKey(
                    "websocket.max-connections",
                    "0",
                    "Most open client connections; handshakes past it get 503 with Retry-After (0: no limit)."),
            new ConfigKey(
                    "websocket.max-connections-per-ip",
                    "0",
                    "Most open connections from one IP address; handshakes past it get 429 (0: no limit)."),
            new ConfigKey(
                    "websocket.max-connections-per-uid",
                    "0",
                    "Most connections bound to one uid; a newer one is closed with 4505 (0: no limit)."),
            new ConfigKey(
                    "websocket.max-messages-per-second",
                    "200",
                    "Most frames a client may send in one second; past it the connection is closed with 4506 (0: no limit)."),
            new ConfigKey(
                    "websocket.max-handshakes-per-second",
                    "0",
                    "Handshakes admitted per second (reconnect storms); past it 503 with Retry-After (0: no limit)."),
            new ConfigKey(
                    "websocket.max-handshakes-in-flight",
                    "0",
                    "Connections admitted but not bound yet; past it handshakes get 503 with Retry-After (0: no limit)."),
            new ConfigKey(
                    "websocket.tls.cert",
                    "",
                    "PEM certificate chain (relative to the Herald home) that turns TLS on for the WebSocket listener (wss://); needs websocket.tls.key."),
            new ConfigKey(
                    "websocket.tls.key",
                    "",
                    "PKCS#8 PEM private key of websocket.tls.cert (relative to the Herald home)."),
            new ConfigKey(
                    "websocket.tls.key-password",
                    "",
                    "Password of websocket.tls.key when it is encrypted (BEGIN ENCRYPTED PRIVATE KEY)."),
            new ConfigKey(
                    "auth.hmac-secret",
                    "",
                    "Shared secret (at least 32 bytes) that verifies HS256/384/512 connect tokens. Setting any auth key turns tokens on."),
            new ConfigKey(
                    "auth.public-key",
                    "",
                    "PEM file (relative to the Herald home) of an RSA or EC public key, or a certificate, for RS256 and ES256 tokens."),
            new ConfigKey("auth.jwks-file", "", "JSON Web Key Set file (relative to the Herald home) of token keys."),
            new ConfigKey(
                    "auth.jwks-url",
                    "",
                    "JSON Web Key Set URL of an identity provider, fetched when a token names an unknown key and cached 5 minutes."),
            new ConfigKey("auth.audience", "", "When set, tokens must name it in aud."),
            new ConfigKey("auth.issuer", "", "When set, tokens must have it as iss."),
            new ConfigKey(
                    "auth.clock-skew",
                    "60s",
                    "How far exp and nbf may be off between machines; a connection is closed this long after its token's exp."),
            new ConfigKey(
                    "auth.allow-bare-uid",
                    "false",
                    "With tokens on, still let clients bind with a bare uid (for a migration); otherwise they are closed with 4504."),
            new ConfigKey("auth.max-token-bytes", "8KiB", "Longest connect token; longer ones close with 4503."),
            new ConfigKey("text.host", "127.0.0.1", "Address of the Text port (loopback: only this machine can push)."),
            new ConfigKey("text.port", "5678", "Port of the Text port (0 picks a free port)."),
            new ConfigKey(
                    "text.max-line-bytes",
                    "1MiB",
                    "Longest line on the Text port; a longer one gets error line_too_long and the connection is closed."),
            new ConfigKey(
                    "text.read-timeout",
                    "30s",
                    "How long a Text-port connection may stop in the middle of a line before it gets error read_timeout and is closed."),
            new ConfigKey(
                    "text.keys",
                    "",
                    "Comma-separated backend keys (KEY, KEY:push, KEY:admin, KEY:push+admin); when set, a connection's first line must be auth KEY."),
            new ConfigKey(
                    "text.insecure",
                    "false",
                    "Let the Text port listen on a non-loopback text.host without text.keys (one WARN at start)."),
            new ConfigKey(
                    "text.max-connections",
                    "0",
                    "Most open Text-port connections; one more gets error too_many_connections and is closed (0: no limit)."),
            new ConfigKey(
                    "text.max-pushes-per-second",
                    "0",
                    "Pushes per second per Text-port connection, burst one second's worth; past it error rate_limited (0: no limit)."),
            new ConfigKey(
                    "http.host",
                    "127.0.0.1",
                    "Address of the HTTP listener (API, /metrics, /healthz, /readyz, /stats)."),
            new ConfigKey("http.port", "5679", "Port of the HTTP listener (0 picks a free port)."),
            new ConfigKey(
                    "http.api-keys",
                    "",
                    "Comma-separated API keys (KEY, KEY:push, KEY:admin, KEY:push+admin) for /api/*, /stats, /admin/reload (Authorization: Bearer KEY). Empty: only loopback may call them."),
            new ConfigKey("http.max-body-bytes", "1MiB", "Largest HTTP request body; larger ones get 413."),
            new ConfigKey(
                    "http.max-pushes-per-second",
                    "0",
                    "Pushes per second per API key, burst one second's worth; past it 429 rate_limited (0: no limit)."),
            new ConfigKey(
                    "http.read-timeout",
                    "30s",
                    "How long an HTTP connection may stop in the middle of a request before it gets 408 and is closed."),
            new ConfigKey(
                    "http.tls.cert",
                    "",
                    "PEM certificate chain (relative to the Herald home) that turns TLS on for the HTTP listener (https://); needs http.tls.key."),
            new ConfigKey("http.tls.key", "", "PKCS#8 PEM private key of http.tls.cert (relative to the Herald home)."),
            new ConfigKey(
                    "http.tls.key-password",
                    "",
                    "Password of http.tls.key when it is encrypted (BEGIN ENCRYPTED PRIVATE KEY)."),
            new ConfigKey(
                    "text.tls.cert",
                    "",
                    "PEM certificate chain (relative to the Herald home) that turns TLS on for the Text port; needs text.tls.key."),
            new ConfigKey("text.tls.key", "", "PKCS#8 PEM private key of text.tls.cert (relative to the Herald home)."),
            new ConfigKey(
                    "text.tls.key-password",
                    "",
                    "Password of text.tls.key when it is encrypted (BEGIN ENCRYPTED PRIVATE KEY)."),
            new ConfigKey("api.max-group-bytes", "128", "Longest group name, in UTF-8 bytes."),
            new ConfigKey(
                    "api.max-groups-per-uid",
                    "1000",
                    "Most groups one uid may join; a join past it fails with too_many_groups (0: no limit)."),
            new ConfigKey("api.max-batch", "1000", "Most pushes in one batch."),
            new ConfigKey(
                    "api.max-page",
                    "1000",
                    "Largest page of a listing (uids, groups, members) and most uids in one online query."),
            new ConfigKey(
                    "history.size",
                    "100",
                    "Most messages each kept stream holds for clients that resume (0: no stream keeps any)."),
            new ConfigKey("history.ttl", "5m", "Age after which a kept message is dropped from history."),
            new ConfigKey(
                    "history.uids",
                    "v1",
                    "Which uid streams keep history: v1 (once a herald.v1 client of the uid said hello), all, none."),
            new ConfigKey(
                    "history.max-bytes",
                    "64MiB",
                    "Budget of all kept messages together (payload + 128 bytes each); past it the oldest go first, stream by stream."),
            new ConfigKey(
                    "history.groups",
                    "",
                    "Comma-separated group name patterns (* = any characters) whose streams keep history; empty: none."),
            new ConfigKey("history.all", "false", "Whether the stream of pushes to everyone keeps history."),
            new ConfigKey(
                    "history.max-replay",
                    "1000",
                    "Most messages one resume replays per stream; more missed are reported as a gap."),
            new ConfigKey(
                    "history.max-streams",
                    "100000",
                    "Most streams whose position (epoch, offset) is remembered; the least recently written are forgotten first."),
            new ConfigKey(
                    "history.meta-ttl",
                    "24h",
                    "How long a stream's position is remembered after its last message (at least history.ttl)."),
            new ConfigKey(
                    "inbox.default-ttl",
                    "0s",
                    "ttl of a push command that gives none: how long it waits for an offline uid (0s: online only)."),
            new ConfigKey(
                    "inbox.seed-ttl",
                    "0s",
                    "ttl of a seed line (the reply stays ok/fail); 0s: online only, as in the seed."),
            new ConfigKey("inbox.max-ttl", "168h", "Longest ttl a push may ask for."),
            new ConfigKey(
                    "inbox.max-per-uid",
                    "100",
                    "Most messages waiting for one uid; a new one pushes out the oldest (0: no inbox)."),
            new ConfigKey(
                    "inbox.max-bytes",
                    "64MiB",
                    "Budget of all waiting messages (payload + 128 bytes each); past it a new one does not wait (reply: dropped)."),
            new ConfigKey(
                    "inbox.seed-clients",
                    "false",
                    "Send a seed client (no subprotocol) the messages waiting for its uid when it binds, as raw frames."),
            new ConfigKey(
                    "idempotency.window",
                    "5m",
                    "How long a push id is remembered: a retry with the same id and target gets the first result."),
            new ConfigKey(
                    "idempotency.max-ids",
                    "100000",
                    "Most push ids remembered; past it the oldest are forgotten first."),
            new ConfigKey("receipts.ttl", "24h", "How long the receipt of a push that asked for one is kept."),
            new ConfigKey("receipts.max", "100000", "Most receipts kept; past it the oldest are forgotten first."),
            new ConfigKey(
                    "store.path",
                    "",
                    "Data directory, relative to the Herald home: streams, inboxes, ids and receipts survive a restart. Empty: memory only."),
            new ConfigKey(
                    "store.fsync",
                    "true",
                    "With a data directory: a positive reply waits for the disk (fsync, group commit); false: for the OS only."),
            new ConfigKey(
                    "server.io-threads",
                    "0",
                    "Event-loop threads of the WebSocket clients; 0 means one per processor."),
            new ConfigKey(
                    "server.backend-io-threads",
                    "1",
                    "Event-loop threads of the Text port and the HTTP API, apart from the clients' so that a reconnect storm never delays a backend's pushes; 0: they share the clients' loops."),
            new ConfigKey(
                    "server.shutdown-timeout", "10s", "How long stop drains connections before it forces the exit."),
            new ConfigKey(
                    "server.pid-file", "run/herald.pid", "Pid file of a running server, relative to the Herald home."),
            new ConfigKey("log.level", "info", "Log level: error, warn, info, debug or trace."),
            new ConfigKey(
                    "log.format",
                    "text",
                    "Log format: text (one readable line per event) or json (one JSON object per line)."),
            new ConfigKey(
                    "log.file",
                    "",
                    "Log file, relative to the Herald home. Empty: the console in the foreground, logs/herald.log for start -d."),
            new ConfigKey(
                    "metrics.latency-sample-every",
                    "8",
                    "Measure the push-to-write latency of one in this many writes to clients (1: every write, 0: none)."));

    /** {@code websocket.max-message-bytes} → {@code HERALD_WEBSOCKET_MAX_MESSAGE_BYTES}. */
    public String envName() {
        return "HERALD_" + name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** {@code --websocket.port}. */
    public String flag() {
        return "--" + name;
    }

    public static ConfigKey named(String name) {
        for (ConfigKey key : ALL) {
            if (key.name.equals(name)) {
                return key;
            }
        }
        return null;
    }
}
