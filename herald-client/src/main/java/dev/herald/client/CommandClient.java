package dev.herald.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The typed commands on top of a transport's one primitive, {@link #send}. Encoding and decoding are
 * the same for every transport; a synchronous call is the asynchronous one awaited on the caller's
 * thread.
 */
abstract class CommandClient implements HeraldClient {

    final CommandCodec codec;
    /** Where the futures returned to callers complete. */
    final Executor executor;

    private final ExecutorService ownedExecutor;
    private final AtomicBoolean closed = new AtomicBoolean();

    CommandClient(Builder options, String threadName) {
        this.codec = new CommandCodec(options.mapper == null ? new ObjectMapper() : options.mapper);
        if (options.executor == null) {
            ownedExecutor = Executors.newCachedThreadPool(daemonThreads(threadName));
            executor = ownedExecutor;
        } else {
            ownedExecutor = null;
            executor = options.executor;
        }
    }

    /**
     * Sends one command. The future may complete on an I/O thread; it fails with a {@link
     * HeraldException}, and always completes (the transport bounds it by the timeout). Never throws.
     */
    abstract CompletableFuture<JsonNode> send(String verb, byte[] params);

    /** Closes the transport and fails the calls in flight; called once by {@link #close()}. */
    abstract void closeTransport();

    /** Sends and waits on the caller's thread; a failure is rethrown with the caller's stack trace. */
    private <T> T sync(String verb, JsonNode params, Function<JsonNode, T> decode) {
        CompletableFuture<JsonNode> reply = send(verb, codec.encode(params));
        try {
            return decode.apply(reply.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HeraldTransportException(
                    ErrorCode.TRANSPORT, "interrupted while waiting for the reply to " + verb, e);
        } catch (ExecutionException e) {
            RuntimeException failure = unwrap(e);
            throw failure instanceof HeraldException herald ? herald.rethrown() : failure;
        }
    }

    private <T> CompletableFuture<T> async(String verb, JsonNode params, Function<JsonNode, T> decode) {
        byte[] bytes = codec.encode(params);
        CompletableFuture<T> result = new CompletableFuture<>();
        CompletableFuture<JsonNode> sent;
        try {
            sent = send(verb, bytes);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((reply, failure) -> complete(result, () -> {
            if (failure != null) {
                throw unwrap(failure);
            }
            return decode.apply(reply);
        }));
        return result;
    }

    private interface Outcome<T> {
        T get();
    }

    /** Completes {@code result} on the executor, so callers' callbacks never run on an I/O thread. */
    private <T> void complete(CompletableFuture<T> result, Outcome<T> outcome) {
        Runnable task = () -> {
            try {
                result.complete(outcome.get());
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
        };
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            task.run(); // the executor is shut down (the client is closing): complete here
        }
    }

    static RuntimeException unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        return new HeraldTransportException(ErrorCode.TRANSPORT, String.valueOf(cause), cause);
    }

    @Override
    public PushResult push(Push push) {
        return sync("push", codec.push(push), CommandCodec::pushResult);
    }

    @Override
    public CompletableFuture<PushResult> pushAsync(Push push) {
        return async("push", codec.push(push), CommandCodec::pushResult);
    }

    @Override
    public List<PushResult> pushBatch(List<Push> pushes) {
        return sync("push", codec.batch(pushes), CommandCodec::pushResults);
    }

    @Override
    public CompletableFuture<List<PushResult>> pushBatchAsync(List<Push> pushes) {
        return async("push", codec.batch(pushes), CommandCodec::pushResults);
    }

    @Override
    public PushResult broadcast(Object data) {
        return sync("broadcast", codec.broadcast(data), CommandCodec::pushResult);
    }

    @Override
    public CompletableFuture<PushResult> broadcastAsync(Object data) {
        return async("broadcast", codec.broadcast(data), CommandCodec::pushResult);
    }

    @Override
    public boolean isOnline(String uid) {
        return sync("online", codec.uids(List.of(uid)), reply -> isOnline(reply, uid));
    }

    @Override
    public CompletableFuture<Boolean> isOnlineAsync(String uid) {
        return async("online", codec.uids(List.of(uid)), reply -> isOnline(reply, uid));
    }

    private static boolean isOnline(JsonNode reply, String uid) {
        return Boolean.TRUE.equals(CommandCodec.online(reply).get(uid));
    }

    @Override
    public Map<String, Boolean> online(Collection<String> uids) {
        return sync("online", codec.uids(uids), CommandCodec::online);
    }

    @Override
    public CompletableFuture<Map<String, Boolean>> onlineAsync(Collection<String> uids) {
        return async("online", codec.uids(uids), CommandCodec::online);
    }

    @Override
    public Page onlineUids(String after, int limit) {
        return sync("uids", codec.page(null, after, limit), reply -> CommandCodec.page(reply, "uids"));
    }

    @Override
    public CompletableFuture<Page> onlineUidsAsync(String after, int limit) {
        return async("uids", codec.page(null, after, limit), reply -> CommandCodec.page(reply, "uids"));
    }

    @Override
    public Page groups(String after, int limit) {
        return sync("groups", codec.page(null, after, limit), reply -> CommandCodec.page(reply, "groups"));
    }

    @Override
    public CompletableFuture<Page> groupsAsync(String after, int limit) {
        return async("groups", codec.page(null, after, limit), reply -> CommandCodec.page(reply, "groups"));
    }

    @Override
    public Counts counts() {
        return sync("count", CommandCodec.empty(), CommandCodec::counts);
    }

    @Override
    public CompletableFuture<Counts> countsAsync() {
        return async("count", CommandCodec.empty(), CommandCodec::counts);
    }

    @Override
    public GroupCount groupCount(String group) {
        return sync("count", codec.group(Objects.requireNonNull(group, "group")), CommandCodec::groupCount);
    }

    @Override
    public CompletableFuture<GroupCount> groupCountAsync(String group) {
        return async("count", codec.group(Objects.requireNonNull(group, "group")), CommandCodec::groupCount);
    }

    @Override
    public Page members(String group, String after, int limit) {
        return sync(
                "members",
                codec.page(Objects.requireNonNull(group, "group"), after, limit),
                reply -> CommandCodec.page(reply, "members"));
    }

    @Override
    public CompletableFuture<Page> membersAsync(String group, String after, int limit) {
        return async(
                "members",
                codec.page(Objects.requireNonNull(group, "group"), after, limit),
                reply -> CommandCodec.page(reply, "members"));
    }

    @Override
    public int join(String group, Collection<String> uids) {
        return sync("join", codec.membership(group, uids), reply -> CommandCodec.count(reply, "added"));
    }

    @Override
    public CompletableFuture<Integer> joinAsync(String group, Collection<String> uids) {
        return async("join", codec.membership(group, uids), reply -> CommandCodec.count(reply, "added"));
    }

    @Override
    public int leave(String group, Collection<String> uids) {
        return sync("leave", codec.membership(group, uids), reply -> CommandCodec.count(reply, "removed"));
    }

    @Override
    public CompletableFuture<Integer> leaveAsync(String group, Collection<String> uids) {
        return async("leave", codec.membership(group, uids), reply -> CommandCodec.count(reply, "removed"));
    }

    @Override
    public int kick(String uid, String reason) {
        return sync("kick", codec.kick("uid", uid, reason), reply -> CommandCodec.count(reply, "closed"));
    }

    @Override
    public CompletableFuture<Integer> kickAsync(String uid, String reason) {
        return async("kick", codec.kick("uid", uid, reason), reply -> CommandCodec.count(reply, "closed"));
    }

    @Override
    public int kickConnection(String connection, String reason) {
        return sync("kick", codec.kick("connection", connection, reason), reply -> CommandCodec.count(reply, "closed"));
    }

    @Override
    public CompletableFuture<Integer> kickConnectionAsync(String connection, String reason) {
        return async(
                "kick", codec.kick("connection", connection, reason), reply -> CommandCodec.count(reply, "closed"));
    }

    @Override
    public JsonNode receipt(String id) {
        return sync("receipt", CommandCodec.receipt(id), Function.identity());
    }

    @Override
    public CompletableFuture<JsonNode> receiptAsync(String id) {
        return async("receipt", CommandCodec.receipt(id), Function.identity());
    }

    @Override
    public JsonNode stats() {
        return sync("stats", CommandCodec.empty(), Function.identity());
    }

    @Override
    public CompletableFuture<JsonNode> statsAsync() {
        return async("stats", CommandCodec.empty(), Function.identity());
    }

    @Override
    public JsonNode call(String verb, JsonNode params) {
        return sync(verb(verb), Objects.requireNonNull(params, "params"), Function.identity());
    }

    @Override
    public CompletableFuture<JsonNode> callAsync(String verb, JsonNode params) {
        return async(verb(verb), Objects.requireNonNull(params, "params"), Function.identity());
    }

    /** A verb is one lower-case word: anything else could not be sent as one Text-port line. */
    private static String verb(String verb) {
        if (!verb.matches("[a-z]{1,32}")) {
            throw new IllegalArgumentException("a verb is one lower-case word: " + verb);
        }
        return verb;
    }

    boolean isClosed() {
        return closed.get();
    }

    static HeraldTransportException closedError() {
        return new HeraldTransportException(ErrorCode.TRANSPORT, "the client is closed", null);
    }

    @Override
    public final void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeTransport();
        if (ownedExecutor != null) {
            ownedExecutor.shutdown();
        }
    }

    static ThreadFactory daemonThreads(String name) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
