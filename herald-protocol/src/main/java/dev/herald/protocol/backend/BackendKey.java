package dev.herald.protocol.backend;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * One key of {@code http.api-keys} or {@code text.keys}, as written: {@code KEY} (every scope),
 * {@code KEY:push}, {@code KEY:admin} or {@code KEY:push+admin}.
 *
 * @param secret what a backend sends ({@code Authorization: Bearer KEY}, {@code auth KEY}): at least 16
 *     printable ASCII characters without spaces
 * @param scopes what the key may do; never empty
 */
public record BackendKey(String secret, Set<Scope> scopes) {

    /** The shortest secret accepted. */
    public static final int MIN_SECRET_CHARS = 16;

    public BackendKey {
        Objects.requireNonNull(secret, "secret");
        if (secret.length() < MIN_SECRET_CHARS || !secret.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException(
                    "keys must be at least 16 printable ASCII characters each, without spaces");
        }
        if (scopes.isEmpty()) {
            throw new IllegalArgumentException("a key needs at least one scope");
        }
        scopes = Set.copyOf(scopes);
    }

    /**
     * Parses a key as written in the configuration. A suffix after the last {@code :} made only of
     * lower-case letters and {@code +} is the scope list and must name {@code push} and/or {@code admin};
     * any other {@code :} belongs to the secret.
     *
     * @throws IllegalArgumentException naming what is wrong (never the secret)
     */
    public static BackendKey parse(String written) {
        int colon = written.lastIndexOf(':');
        if (colon >= 0) {
            String suffix = written.substring(colon + 1);
            if (!suffix.isEmpty() && suffix.chars().allMatch(c -> (c >= 'a' && c <= 'z') || c == '+')) {
                return new BackendKey(written.substring(0, colon), scopes(suffix));
            }
        }
        return new BackendKey(written, EnumSet.allOf(Scope.class));
    }

    private static Set<Scope> scopes(String suffix) {
        EnumSet<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String word : suffix.split("\\+", -1)) {
            Scope scope = switch (word) {
                case "push" -> Scope.PUSH;
                case "admin" -> Scope.ADMIN;
                default ->
                    throw new IllegalArgumentException(
                            "unknown key scope '" + word + "' (KEY, KEY:push, KEY:admin or KEY:push+admin)");
            };
            scopes.add(scope);
        }
        return scopes;
    }

    /** Whether the key may do what needs {@code scope}. */
    public boolean allows(Scope scope) {
        return scopes.contains(scope);
    }

    /** Does not show the secret. */
    @Override
    public String toString() {
        return "BackendKey[scopes=" + scopes + "]";
    }
}
