package dev.herald.protocol.backend;

import java.nio.charset.StandardCharsets;

/** A Text-port reply line, already encoded (ASCII or UTF-8, ending in {@code \n}). */
public final class BackendReply {

    /** The seed's success: at least one connection got the message. */
    public static final BackendReply OK = new BackendReply("ok\n");
    /** The seed's failure: the uid has no connection. */
    public static final BackendReply FAIL = new BackendReply("fail\n");

    private final byte[] bytes;

    private BackendReply(String line) {
        this.bytes = line.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code error <code> <detail>\n}; line breaks in the detail become spaces. */
    public static BackendReply error(BackendError error, String detail) {
        String clean = detail == null ? "" : detail.replace('\r', ' ').replace('\n', ' ');
        return new BackendReply("error " + error.code() + (clean.isEmpty() ? "" : " " + clean) + "\n");
    }

    /** The bytes to write, shared: callers must not modify them. */
    public byte[] bytes() {
        return bytes;
    }

    @Override
    public String toString() {
        return new String(bytes, StandardCharsets.UTF_8).stripTrailing();
    }
}
