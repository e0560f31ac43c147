package dev.herald.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A backend's connection to Herald: pushes, presence queries, groups and kicks, over the HTTP API
 * ({@link #http}) or the Text port ({@link #text}). Both give the same results and the same errors.
 *
 * <p><b>Threads.</b> Thread-safe: share one client across the application and {@link #close()} it on
 * shutdown. Each method comes in two forms: {@code push(…)} blocks until the reply and returns it;
 * {@code pushAsync(…)} sends at once and returns a future. Futures complete on the client's executor
 * ({@link Builder#executor}), never on an I/O thread, so a callback may block or call the client.
 *
 * <p><b>Failure.</b> A synchronous method throws, and an asynchronous one fails its future with
 * (the future's {@code get()}/{@code join()} wrapping it as the cause):
 *
 * <ul>
 *   <li>{@link HeraldException}: the server refused the call ({@link HeraldException#code()}, {@link
 *       HeraldException#field()}); nothing was done, except after {@link ErrorCode#INTERNAL};
 *   <li>{@link HeraldTransportException}: no usable reply (connection refused or lost, timeout, a
 *       reply that is not Herald's); the outcome is unknown. Calls are never retried by the client,
 *       since a push is not idempotent.
 * </ul>
 *
 * Arguments are checked for {@code null} only ({@link NullPointerException}); everything else is the
 * server's to judge. Every call is bounded by {@link Builder#timeout}.
 */
public interface HeraldClient extends AutoCloseable {

    /**
     * A client of the HTTP API with the default options.
     *
     * @param baseUri the server's HTTP listener, e.g. {@code http://127.0.0.1:5679}; commands go to
     *     {@code <baseUri>/api/<verb>}
     * @param apiKey sent as {@code Authorization: Bearer <apiKey>}, or {@code null} for none (a server
     *     without {@code http.api-keys} answers loopback clients only)
     */
    static HeraldClient http(URI baseUri, String apiKey) {
        return builder().apiKey(apiKey).http(baseUri);
    }

    /** A client of the Text port (e.g. {@code 127.0.0.1:5678}) with the default options. */
    static HeraldClient text(InetSocketAddress address) {
        return builder().text(address);
    }

    /** Options: timeouts, executor, API key, {@code ObjectMapper}. */
    static Builder builder() {
        return new Builder();
    }

    /** Pushes one message. */
    PushResult push(Push push);

    CompletableFuture<PushResult> pushAsync(Push push);

    /**
     * Pushes a batch (at most the server's {@code api.max-batch}, default 1000), validated as a whole
     * before any is sent; the results are in the order of the pushes.
     */
    List<PushResult> pushBatch(List<Push> pushes);

    CompletableFuture<List<PushResult>> pushBatchAsync(List<Push> pushes);

    /** Pushes to every connection ({@code broadcast}); {@code Push.toAll().excludeUids(…)} excludes some. */
    PushResult broadcast(Object data);

    CompletableFuture<PushResult> broadcastAsync(Object data);

    /** Whether the uid has at least one connection. */
    boolean isOnline(String uid);

    CompletableFuture<Boolean> isOnlineAsync(String uid);

    /** For each uid (at most the server's {@code api.max-page}), whether it has a connection; in order. */
    Map<String, Boolean> online(Collection<String> uids);

    CompletableFuture<Map<String, Boolean>> onlineAsync(Collection<String> uids);

    /**
     * A page of the uids that have a connection, sorted.
     *
     * @param after the previous page's {@link Page#next()}, or {@code null} for the first page
     * @param limit 1 to the server's {@code api.max-page} (default 1000), or 0 for the server's default (100)
     */
    Page onlineUids(String after, int limit);

    CompletableFuture<Page> onlineUidsAsync(String after, int limit);

    /** A page of the groups (those with at least one member), sorted; {@code after}, {@code limit} as {@link #onlineUids}. */
    Page groups(String after, int limit);

    CompletableFuture<Page> groupsAsync(String after, int limit);

    /** Connections, uids and groups on the server. */
    Counts counts();

    CompletableFuture<Counts> countsAsync();

    /** A group's members and how many of them are online (0 and 0 for a group nobody is in). */
    GroupCount groupCount(String group);

    CompletableFuture<GroupCount> groupCountAsync(String group);

    /** A page of a group's members, online or not, sorted; {@code after}, {@code limit} as {@link #onlineUids}. */
    Page members(String group, String after, int limit);

    CompletableFuture<Page> membersAsync(String group, String after, int limit);

    /**
     * Adds uids to a group; membership covers the uids' connections now and later, online or not.
     *
     * @return how many of the uids were not members yet
     */
    int join(String group, Collection<String> uids);

    CompletableFuture<Integer> joinAsync(String group, Collection<String> uids);

    /**
     * Removes uids from a group.
     *
     * @return how many of the uids were members
     */
    int leave(String group, Collection<String> uids);

    CompletableFuture<Integer> leaveAsync(String group, Collection<String> uids);

    /**
     * Closes every connection of a uid with close code 4501 and the reason.
     *
     * @param reason the close reason clients see (at most 123 UTF-8 bytes), or {@code null} for {@code kicked}
     * @return how many connections were closed
     */
    int kick(String uid, String reason);

    CompletableFuture<Integer> kickAsync(String uid, String reason);

    /** Closes one connection, by id, as {@link #kick}; returns 1, or 0 if it is not open. */
    int kickConnection(String connection, String reason);

    CompletableFuture<Integer> kickConnectionAsync(String connection, String reason);

    /**
     * The receipt of a push that asked for one ({@link Push#receipt()}; its id is {@link
     * PushResult#receipt()}): per uid, {@code state}, {@code written} and {@code acked} (see the README,
     * "Delivery receipts"). An unknown id throws {@link HeraldException} with {@code UNKNOWN_RECEIPT}.
     */
    JsonNode receipt(String id);

    CompletableFuture<JsonNode> receiptAsync(String id);

    /** The server's counters, as {@code GET /stats} (fields may be added in later versions). */
    JsonNode stats();

    CompletableFuture<JsonNode> statsAsync();

    /**
     * Any command: {@code verb} with {@code params} as its JSON parameters; returns the reply JSON. For
     * commands this client has no method for yet.
     */
    JsonNode call(String verb, JsonNode params);

    CompletableFuture<JsonNode> callAsync(String verb, JsonNode params);

    /**
     * Closes the connections and releases the threads. Calls still in flight fail with a {@link
     * HeraldTransportException}, and so do calls made after. Idempotent.
     */
    @Override
    void close();

    /** The first page with the server's default size: {@code onlineUids(null, 0)}. */
    default Page onlineUids() {
        return onlineUids(null, 0);
    }

    /** The first page with the server's default size: {@code groups(null, 0)}. */
    default Page groups() {
        return groups(null, 0);
    }

    /** The first page with the server's default size: {@code members(group, null, 0)}. */
    default Page members(String group) {
        return members(group, null, 0);
    }

    default int join(String group, String... uids) {
        return join(group, List.of(uids));
    }

    default int leave(String group, String... uids) {
        return leave(group, List.of(uids));
    }

    /**
     * Options for a client. Not thread-safe; each {@code http(…)}/{@code text(…)} call builds an
     * independent client.
     */
    final class Builder {

        /** How long a call waits for its reply, unless set. */
        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
        /** How long opening a connection may take, unless set. */
        public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

        Duration timeout = DEFAULT_TIMEOUT;
        Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        Executor executor;
        ObjectMapper mapper;
        String apiKey;
        String textKey;

        Builder() {}

        /**
         * How long a call waits for its reply ({@link #DEFAULT_TIMEOUT}). Then it fails with a {@link
         * HeraldTransportException} ({@link ErrorCode#TIMEOUT}). On the Text port, replies come in
         * order, so a timeout also closes that connection (the calls behind it fail) and the next call
         * opens a new one.
         */
        public Builder timeout(Duration timeout) {
            this.timeout = positive(timeout, "timeout");
            return this;
        }

        /** How long opening a connection may take ({@link #DEFAULT_CONNECT_TIMEOUT}). */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = positive(connectTimeout, "connectTimeout");
            return this;
        }

        /**
         * Where futures complete and callbacks run (and, over HTTP, the JDK {@code HttpClient}'s
         * work). Default: a cached pool of daemon threads owned by the client and shut down by {@link
         * HeraldClient#close()}; an executor given here is not shut down.
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** Serializes push data that is not a {@code String} or JSON text. Default: a plain {@code ObjectMapper}. */
        public Builder objectMapper(ObjectMapper mapper) {
            this.mapper = Objects.requireNonNull(mapper, "mapper");
            return this;
        }

        /** HTTP only: sent as {@code Authorization: Bearer <apiKey>}; {@code null} for none. */
        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        /**
         * Text port only: sent as {@code auth <textKey>}, the first line of every connection the client
         * opens (for a server with {@code text.keys}); {@code null} for none. A refused key fails the
         * call that opened the connection with {@link ErrorCode#UNAUTHORIZED}.
         */
        public Builder textKey(String textKey) {
            this.textKey = textKey;
            return this;
        }

        /**
         * A client of the HTTP API at {@code baseUri} ({@code http://host:5679}, or with a path prefix
         * behind a proxy: commands go to {@code <baseUri>/api/<verb>}). Uses one JDK {@code HttpClient}
         * (HTTP/1.1, keep-alive connections). Opens no connection yet.
         */
        public HeraldClient http(URI baseUri) {
            return new HttpHeraldClient(this, baseUri);
        }

        /**
         * A client of the Text port: one persistent TCP connection, opened by the first call and
         * reopened by the first call after it drops. Calls are pipelined: each writes its line at once
         * and replies are matched in order.
         */
        public HeraldClient text(InetSocketAddress address) {
            return new TextHeraldClient(this, address);
        }

        private static Duration positive(Duration duration, String name) {
            Objects.requireNonNull(duration, name);
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + duration);
            }
            return duration;
        }
    }
}
