package dev.herald.server;

/** Configuration that cannot be used; the message names the key (or file) and what is wrong. */
public final class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
