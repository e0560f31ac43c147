package dev.herald.core;

import java.util.Objects;
import java.util.function.Function;

/**
 * A way a transport turns a {@link Message} into its wire form, computed at most once per message
 * and shared by every connection that receives it (see {@link Message#encoded(Encoding)}).
 *
 * <p>The encoded value must be immutable or safe to share between threads.
 */
public final class Encoding<T> implements Function<Message, T> {

    private final String name;
    private final Function<Message, T> encoder;

    public Encoding(String name, Function<Message, T> encoder) {
        this.name = Objects.requireNonNull(name, "name");
        this.encoder = Objects.requireNonNull(encoder, "encoder");
    }

    /** Encodes a message; {@link Message#encoded} calls this once per message and caches the result. */
    @Override
    public T apply(Message message) {
        return Objects.requireNonNull(encoder.apply(message), name);
    }

    @Override
    public String toString() {
        return name;
    }
}
