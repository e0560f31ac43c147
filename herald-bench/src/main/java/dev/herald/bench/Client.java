package dev.herald.bench;

import io.netty.channel.Channel;
import java.util.concurrent.CompletableFuture;

/**
 * One WebSocket client connection of the tool and its uid. {@link #opened} completes once the
 * handshake succeeded and the bind frame (the uid) was written, or fails with an {@link OpenFailure}.
 */
final class Client {

    final int index;
    final String uid;
    final CompletableFuture<Client> opened = new CompletableFuture<>();
    volatile Channel channel;
    /** {@link Payload#now()} when the connect started. */
    volatile long connectStartNanos;
    /** {@link Payload#now()} when the bind frame was written, or -1. */
    volatile long openNanos = -1;
    /** {@link Payload#now()} when it closed, or -1 while open. */
    volatile long closedNanos = -1;

    Client(int index, String uid) {
        this.index = index;
        this.uid = uid;
    }

    boolean isOpen() {
        return openNanos >= 0 && closedNanos < 0;
    }

    /** Why a connection could not be opened; {@code reason} is one short word for the report. */
    static final class OpenFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String reason;
        /** Seconds the server asked to wait ({@code Retry-After}), or -1. */
        final int retryAfterSeconds;

        OpenFailure(String reason, String message, Throwable cause) {
            this(reason, message, cause, -1);
        }

        private OpenFailure(String reason, String message, Throwable cause, int retryAfterSeconds) {
            super(reason + ": " + message, cause, false, false);
            this.reason = reason;
            this.retryAfterSeconds = retryAfterSeconds;
        }

        /**
         * A handshake answered with another status than 101: reason {@code http-503} or {@code http-429}
         * for admission control's refusals (which say when to come back), {@code handshake} otherwise.
         */
        static OpenFailure refused(String statusLine, int retryAfterSeconds) {
            String[] parts = statusLine.split(" ", 3);
            String status = parts.length > 1 ? parts[1] : "";
            String reason = status.equals("503") || status.equals("429") ? "http-" + status : "handshake";
            return new OpenFailure(reason, "answered '" + statusLine + "'", null, retryAfterSeconds);
        }

        /** Sorts a connect or I/O error into a reason: source-address, open-files, refused, timeout or io. */
        static OpenFailure of(Throwable cause) {
            if (cause instanceof OpenFailure failure) {
                return failure;
            }
            String message = String.valueOf(cause.getMessage());
            String reason;
            if (message.contains("Too many open files")) {
                reason = "open-files";
            } else if (message.contains("Cannot assign requested address")
                    || message.contains("Address already in use")
                    || message.contains("bind(")) {
                reason = "source-address";
            } else if (message.contains("refused")) {
                reason = "refused";
            } else if (message.contains("timed out")) {
                reason = "timeout";
            } else {
                reason = "io";
            }
            return new OpenFailure(reason, message, cause);
        }
    }
}
