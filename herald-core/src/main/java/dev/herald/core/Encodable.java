package dev.herald.core;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;

/**
 * Something transports send to many connections and encode once: it keeps each transport's wire form,
 * computed on first use and shared by every connection after that ({@link Message}, and a message at
 * its position in a stream, {@link dev.herald.core.history.Publication}).
 *
 * <p>Thread-safe. Under a race two threads may both encode; both results are equal and one of them is
 * kept for everyone after that.
 */
public abstract class Encodable {

    private static final Object[] EMPTY = new Object[0];

    /** Keys and values, alternating; replaced, never changed, when a form is added. */
    private volatile Object[] forms = EMPTY;

    /**
     * The wire form cached under {@code key} (a constant of the transport's own), encoded now by {@code
     * encoder} if there is none yet.
     */
    @SuppressWarnings("unchecked")
    protected final <S extends Encodable, T> T form(Object key, S self, Function<? super S, T> encoder) {
        Object[] cached = forms;
        for (int i = 0; i < cached.length; i += 2) {
            if (cached[i] == key) {
                return (T) cached[i + 1];
            }
        }
        T value = Objects.requireNonNull(encoder.apply(self), () -> "encoding " + key);
        synchronized (this) {
            cached = forms;
            for (int i = 0; i < cached.length; i += 2) {
                if (cached[i] == key) {
                    return (T) cached[i + 1];
                }
            }
            Object[] grown = Arrays.copyOf(cached, cached.length + 2);
            grown[cached.length] = key;
            grown[cached.length + 1] = value;
            forms = grown;
        }
        return value;
    }
}
