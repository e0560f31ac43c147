package dev.herald.netty.backend;

import dev.herald.core.GroupLimitException;
import dev.herald.core.Message;
import dev.herald.core.PushOptions;
import dev.herald.core.PushResult;
import dev.herald.core.Pusher;
import dev.herald.protocol.backend.ApiError;
import dev.herald.protocol.backend.BackendCommand;
import dev.herald.protocol.backend.BackendCommand.Connections;
import dev.herald.protocol.backend.BackendCommand.Count;
import dev.herald.protocol.backend.BackendCommand.Join;
import dev.herald.protocol.backend.BackendCommand.KickConnections;
import dev.herald.protocol.backend.BackendCommand.Leave;
import dev.herald.protocol.backend.BackendCommand.ListGroups;
import dev.herald.protocol.backend.BackendCommand.ListUids;
import dev.herald.protocol.backend.BackendCommand.Members;
import dev.herald.protocol.backend.BackendCommand.Online;
import dev.herald.protocol.backend.BackendCommand.Push;
import dev.herald.protocol.backend.BackendCommand.PushItem;
import dev.herald.protocol.backend.BackendCommand.Rejected;
import dev.herald.protocol.backend.BackendCommand.Stats;
import dev.herald.protocol.backend.CommandReplies;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs decoded commands against the {@link Pusher} and encodes their replies: the one implementation
 * behind both backend adapters, so a command means the same on the Text port and over HTTP.
 *
 * <p>Thread-safe. The returned stage never fails: failures become {@code internal} error replies.
 */
public final class CommandExecutor {

    private static final Logger log = LoggerFactory.getLogger(CommandExecutor.class);

    /** Told of every push a command makes, for the adapters' counters. */
    public interface PushListener {
        /** One push of a {@code push} or {@code broadcast} command (each of a batch) was made. */
        void pushed(PushResult result);

        /** A {@code push} or {@code broadcast} command was answered with an error: refused or failed. */
        default void failed() {}

        PushListener NONE = result -> {};
    }

    private final Pusher pusher;
    private final Supplier<Map<String, Object>> stats;
    /** {@code inbox.default-ttl}, which needs a restart to change. */
    private final long defaultTtlMillis;

    public CommandExecutor(Pusher pusher, Supplier<Map<String, Object>> stats) {
        this.pusher = pusher;
        this.defaultTtlMillis = pusher.engine().inboxConfig().defaultTtl().toMillis();
        this.stats = stats;
    }

    /** The {@link GroupLimitException} a failed join carries, possibly wrapped, or {@code null}. */
    public static GroupLimitException groupLimit(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof GroupLimitException limit) {
                return limit;
            }
        }
        return null;
    }

    public static ApiError groupLimitError(GroupLimitException limit) {
        return ApiError.field(ApiError.TOO_MANY_GROUPS, "uids", limit.getMessage() + "; none of the uids joined");
    }

    /** Executes any command but a seed line ({@code SeedPush}/{@code Invalid}, which only the Text port knows). */
    public CompletionStage<CommandReply> execute(BackendCommand command, PushListener listener) {
        CompletionStage<CommandReply> reply;
        try {
            reply = run(command, listener);
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        CompletionStage<CommandReply> answered = reply.exceptionally(failure -> {
            GroupLimitException limit = groupLimit(failure);
            if (limit != null) {
                log.info("join refused: {}", limit.getMessage());
                return CommandReply.error(groupLimitError(limit));
            }
            log.warn("command {} failed", command.getClass().getSimpleName(), failure);
            return CommandReply.error(new ApiError(ApiError.INTERNAL, "the command failed: " + failure, null));
        });
        if (command instanceof Push || (command instanceof Rejected rejected && rejected.isPush())) {
            return answered.thenApply(answer -> {
                if (!answer.isOk()) {
                    listener.failed();
                }
                return answer;
            });
        }
        return answered;
    }

    private CompletionStage<CommandReply> run(BackendCommand command, PushListener listener) {
        if (command instanceof Push push) {
            return push(push, listener);
        } else if (command instanceof Rejected rejected) {
            return CompletableFuture.completedFuture(CommandReply.error(rejected.error()));
        } else if (command instanceof Online online) {
            return pusher.online(online.uids()).thenApply(result -> CommandReply.ok(CommandReplies.online(result)));
        } else if (command instanceof Connections connections) {
            return pusher.connections(connections.uid())
                    .thenApply(infos -> CommandReply.ok(
                            CommandReplies.connections(connections.uid(), infos, connections.details())));
        } else if (command instanceof ListUids list) {
            return pusher.onlineUids(list.after(), list.limit())
                    .thenApply(page -> CommandReply.ok(CommandReplies.page("uids", page)));
        } else if (command instanceof ListGroups list) {
            return pusher.groups(list.after(), list.limit())
                    .thenApply(page -> CommandReply.ok(CommandReplies.page("groups", page)));
        } else if (command instanceof Count count) {
            return count.group() == null
                    ? pusher.counts().thenApply(counts -> CommandReply.ok(CommandReplies.counts(counts)))
                    : pusher.groupCount(count.group())
                            .thenApply(group -> CommandReply.ok(CommandReplies.groupCount(group)));
        } else if (command instanceof Members members) {
            return pusher.members(members.group(), members.after(), members.limit())
                    .thenApply(page -> CommandReply.ok(CommandReplies.members(members.group(), page)));
        } else if (command instanceof Join join) {
            return pusher.join(join.group(), join.uids())
                    .thenApply(added -> CommandReply.ok(CommandReplies.membership(join.group(), "added", added)));
        } else if (command instanceof Leave leave) {
            return pusher.leave(leave.group(), leave.uids())
                    .thenApply(
                            removed -> CommandReply.ok(CommandReplies.membership(leave.group(), "removed", removed)));
        } else if (command instanceof KickConnections kick) {
            return pusher.kick(kick.kick()).thenApply(closed -> CommandReply.ok(CommandReplies.kicked(closed)));
        } else if (command instanceof BackendCommand.ReceiptQuery query) {
            return pusher.receipt(query.id())
                    .thenApply(receipt -> receipt == null
                            ? CommandReply.error(new ApiError(
                                    ApiError.UNKNOWN_RECEIPT,
                                    "no receipt " + query.id() + " (never asked for, or older than receipts.ttl)",
                                    "id"))
                            : CommandReply.ok(CommandReplies.map(receipt)));
        } else if (command instanceof Stats) {
            return CompletableFuture.completedFuture(CommandReply.ok(CommandReplies.map(stats.get())));
        }
        throw new IllegalArgumentException("not a command for the executor: " + command);
    }

    /** A push's ttl, id and key; without a ttl of its own, {@code inbox.default-ttl}. */
    private PushOptions options(PushItem item) {
        if (!item.hasOptions()) {
            return PushOptions.ttl(defaultTtlMillis);
        }
        long ttl = item.ttlSeconds() == null ? defaultTtlMillis : item.ttlSeconds() * 1000;
        return new PushOptions(ttl, item.id(), item.key(), item.receipt());
    }

    private CompletionStage<CommandReply> push(Push push, PushListener listener) {
        List<CompletableFuture<PushResult>> results =
                new ArrayList<>(push.items().size());
        for (PushItem item : push.items()) {
            results.add(pusher.push(item.target(), Message.ofUtf8(item.data(), options(item)))
                    .toCompletableFuture()
                    .thenApply(result -> {
                        listener.pushed(result);
                        return result;
                    }));
        }
        if (!push.batch()) {
            return results.get(0).thenApply(result -> CommandReply.ok(CommandReplies.pushed(result)));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
                .thenApply(done -> CommandReply.ok(CommandReplies.pushedBatch(
                        results.stream().map(CompletableFuture::join).toList())));
    }
}
