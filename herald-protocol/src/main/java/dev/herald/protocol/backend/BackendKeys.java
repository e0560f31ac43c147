package dev.herald.protocol.backend;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The keys a backend adapter accepts ({@code http.api-keys}, {@code text.keys}), matched in constant
 * time: a presented key is compared with each through their SHA-256 digests with
 * {@link MessageDigest#isEqual}, so the time taken does not depend on how much of a key was guessed.
 * Immutable and thread-safe.
 */
public final class BackendKeys {

    private static final BackendKeys NONE = new BackendKeys(List.of());

    private final List<BackendKey> keys;
    private final List<byte[]> digests = new ArrayList<>();

    private BackendKeys(List<BackendKey> keys) {
        this.keys = List.copyOf(keys);
        for (BackendKey key : this.keys) {
            digests.add(sha256(key.secret()));
        }
    }

    /**
     * The keys as written in the configuration ({@link BackendKey#parse}).
     *
     * @throws IllegalArgumentException if one does not parse
     */
    public static BackendKeys of(List<String> written) {
        if (written.isEmpty()) {
            return NONE;
        }
        List<BackendKey> keys = new ArrayList<>();
        for (String key : written) {
            keys.add(BackendKey.parse(key));
        }
        return new BackendKeys(keys);
    }

    /** Whether no key is configured. */
    public boolean isEmpty() {
        return keys.isEmpty();
    }

    public List<BackendKey> keys() {
        return keys;
    }

    /** The configured key whose secret is {@code presented}, if any; every key is compared. */
    public Optional<BackendKey> match(String presented) {
        byte[] given = sha256(presented);
        BackendKey found = null;
        for (int i = 0; i < keys.size(); i++) {
            if (MessageDigest.isEqual(given, digests.get(i)) && found == null) {
                found = keys.get(i);
            }
        }
        return Optional.ofNullable(found);
    }

    /** The first key with {@code scope}, for a tool that acts on the server (the CLI). */
    public Optional<BackendKey> first(Scope scope) {
        return keys.stream().filter(key -> key.allows(scope)).findFirst();
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
