package dev.herald.core;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A message as a client sees it: UTF-8 text, forwarded unchanged.
 *
 * <p>Immutable and thread-safe. A transport asks for its wire form through {@link #encoded}, which
 * encodes once and shares the result, so a broadcast to 10,000 connections encodes one frame.
 */
public final class Message extends Encodable {

    private final byte[] payload;
    private final long createdAt;
    private final PushOptions options;
    /** The push's receipt, when the backend asked for one; set by the engine before the message is sent. */
    private volatile Receipt receipt;
    /**
     * The push's idempotency key (target and id, see {@link dev.herald.core.engine.IdempotencyIds}), set
     * by the engine before the message is published, so that a durable store can keep it with the
     * message; {@code null} without an id.
     */
    private volatile String idKey;

    private Message(byte[] payload, long createdAt, PushOptions options) {
        this.payload = payload;
        this.createdAt = createdAt;
        this.options = options;
    }

    /** Wraps UTF-8 bytes. The caller gives up the array: it must never change afterwards. */
    public static Message ofUtf8(byte[] payload) {
        return new Message(Objects.requireNonNull(payload, "payload"), System.nanoTime(), PushOptions.NONE);
    }

    /** Wraps UTF-8 bytes pushed with options (ttl, id, key). The caller gives up the array. */
    public static Message ofUtf8(byte[] payload, PushOptions options) {
        return new Message(
                Objects.requireNonNull(payload, "payload"),
                System.nanoTime(),
                Objects.requireNonNull(options, "options"));
    }

    /**
     * Another wire form of an accepted message (a protocol's envelope around it): the payload given,
     * created when the original was, so that its push-to-write latency counts from the push.
     */
    public static Message derived(byte[] payload, Message original) {
        Message derived = new Message(Objects.requireNonNull(payload, "payload"), original.createdAt, original.options);
        derived.receipt = original.receipt;
        return derived;
    }

    public static Message ofText(String text) {
        return ofUtf8(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The UTF-8 payload. Callers must not modify the array. */
    public byte[] payload() {
        return payload;
    }

    public int size() {
        return payload.length;
    }

    /** What the backend asked of the push: ttl, id, key ({@link PushOptions#NONE} for a plain push). */
    public PushOptions options() {
        return options;
    }

    /** The receipt that transports report writes to, or {@code null}: none was asked for. */
    public Receipt receipt() {
        return receipt;
    }

    /** Attaches the push's receipt; the engine does, once, before it publishes the message. */
    public void track(Receipt receipt) {
        this.receipt = receipt;
    }

    /** The push's idempotency key (its target and id), or {@code null}. */
    public String idKey() {
        return idKey;
    }

    /** Names the push's idempotency key; the engine does, before it publishes the message. */
    public void idKey(String idKey) {
        this.idKey = idKey;
    }

    /** The push's latest-value key, or {@code null}. */
    public String key() {
        return options.key();
    }

    /**
     * {@link System#nanoTime()} when this message was created, that is when its push was accepted on
     * this node: the start of the push-to-write latency that transports measure.
     */
    public long createdAt() {
        return createdAt;
    }

    public String text() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /**
     * The message in a transport's wire form, encoded on first use and cached (see {@link Encodable}).
     */
    public <T> T encoded(Encoding<T> encoding) {
        return form(encoding, this, encoding); // the key is its own encoder: no lambda per call
    }

    @Override
    public String toString() {
        return "Message[" + payload.length + " bytes]";
    }
}
