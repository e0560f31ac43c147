package dev.herald.core;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A message as a client sees it: UTF-8 text, forwarded unchanged.
 *
 * <p>Immutable and thread-safe. A transport asks for its wire form through {@link #encoded}, which
 * encodes once and shares the result, so a broadcast to 10,000 connections encodes one frame.
 */
public final class Message {

    private final byte[] payload;
    private final long createdAt = System.nanoTime();
    private volatile Object[] encodings = EMPTY;

    private static final Object[] EMPTY = new Object[0];

    private Message(byte[] payload) {
        this.payload = payload;
    }

    /** Wraps UTF-8 bytes. The caller gives up the array: it must never change afterwards. */
    public static Message ofUtf8(byte[] payload) {
        return new Message(Objects.requireNonNull(payload, "payload"));
    }

    public static Message ofText(String text) {
        return new Message(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The UTF-8 payload. Callers must not modify the array. */
    public byte[] payload() {
        return payload;
    }

    public int size() {
        return payload.length;
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
     * The message in a transport's wire form, encoded on first use and cached. Thread-safe; under a
     * race two threads may both encode, and one result wins for everyone after that.
     */
    @SuppressWarnings("unchecked")
    public <T> T encoded(Encoding<T> encoding) {
        Object[] cached = encodings;
        for (int i = 0; i < cached.length; i += 2) {
            if (cached[i] == encoding) {
                return (T) cached[i + 1];
            }
        }
        T value = encoding.encode(this);
        synchronized (this) {
            cached = encodings;
            for (int i = 0; i < cached.length; i += 2) {
                if (cached[i] == encoding) {
                    return (T) cached[i + 1];
                }
            }
            Object[] grown = Arrays.copyOf(cached, cached.length + 2);
            grown[cached.length] = encoding;
            grown[cached.length + 1] = value;
            encodings = grown;
        }
        return value;
    }

    @Override
    public String toString() {
        return "Message[" + payload.length + " bytes]";
    }
}
