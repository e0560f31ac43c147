package dev.herald.protocol;

/** Strict UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF). */
public final class Utf8 {

    private Utf8() {}

    /** Whether {@code bytes[offset, offset+length)} is well-formed UTF-8. */
    public static boolean isValid(byte[] bytes, int offset, int length) {
        int i = offset;
        int end = offset + length;
        while (i < end) {
            int b = bytes[i];
            if (b >= 0) {
                i++;
                continue;
            }
            int lead = b & 0xFF;
            if (lead < 0xC2 || lead > 0xF4) {
                return false;
            }
            int needed = lead < 0xE0 ? 1 : lead < 0xF0 ? 2 : 3;
            if (end - i <= needed) {
                return false;
            }
            int second = bytes[i + 1] & 0xFF;
            int low = 0x80;
            int high = 0xBF;
            if (lead == 0xE0) {
                low = 0xA0;
            } else if (lead == 0xED) {
                high = 0x9F;
            } else if (lead == 0xF0) {
                low = 0x90;
            } else if (lead == 0xF4) {
                high = 0x8F;
            }
            if (second < low || second > high) {
                return false;
            }
            for (int k = 2; k <= needed; k++) {
                if ((bytes[i + k] & 0xC0) != 0x80) {
                    return false;
                }
            }
            i += needed + 1;
        }
        return true;
    }
}
