package dev.herald.store;

/** The data directory cannot be opened or read. */
public final class StoreException extends RuntimeException {

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
