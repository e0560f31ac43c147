package dev.herald.microbench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Message payloads of an exact size, shaped like what backends push. */
final class Payloads {

    private Payloads() {}

    /** A JSON object of exactly {@code size} ASCII bytes (at least 16): {@code {"text":"xx…x"}}. */
    static byte[] json(int size) {
        String head = "{\"text\":\"";
        String tail = "\"}";
        if (size < head.length() + tail.length()) {
            throw new IllegalArgumentException("size too small: " + size);
        }
        char[] fill = new char[size - head.length() - tail.length()];
        Arrays.fill(fill, 'x');
        return (head + new String(fill) + tail).getBytes(StandardCharsets.US_ASCII);
    }
}
