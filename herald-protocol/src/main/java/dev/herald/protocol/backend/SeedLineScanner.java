package dev.herald.protocol.backend;

import dev.herald.protocol.backend.BackendCommand.Invalid;
import dev.herald.protocol.backend.BackendCommand.SeedPush;
import java.nio.charset.StandardCharsets;

/**
 * Reads a seed line: checks that it is exactly one JSON object (RFC 8259, as strict as Jackson's
 * defaults: no comments, no single quotes, no {@code NaN}, at most {@value #MAX_DEPTH} levels of
 * nesting) and finds its top-level {@code uid}, without building a tree.
 *
 * <p>It runs once per pushed line, so it allocates nothing on the way but the uid string (and, for a
 * key or uid with escapes, its decoded form); a refused line costs an exception without a stack trace.
 * The caller has checked that the line is valid UTF-8, so only ASCII bytes carry meaning here.
 */
final class SeedLineScanner {

    /** Deepest nesting accepted, counting the top-level object (Jackson's default limit). */
    static final int MAX_DEPTH = 1000;

    private final byte[] line;
    private int at;

    private SeedLineScanner(byte[] line) {
        this.line = line;
    }

    /** The seed push a line is, or why it is not one. */
    static BackendCommand scan(byte[] line) {
        try {
            return new SeedLineScanner(line).seedPush();
        } catch (Refused refused) {
            return new Invalid(BackendError.INVALID_JSON, refused.getMessage());
        }
    }

    private BackendCommand seedPush() {
        skipWhitespace();
        if (at >= line.length || line[at] != '{') {
            throw expected("a JSON object");
        }
        at++;
        String uid = null;
        boolean sawUid = false;
        skipWhitespace();
        if (peek() == '}') {
            at++;
        } else {
            while (true) {
                boolean isUid = key();
                if (isUid) {
                    sawUid = true;
                    uid = uidValue();
                } else {
                    skipValue(1);
                }
                skipWhitespace();
                int next = peek();
                at++;
                if (next == '}') {
                    break;
                }
                if (next != ',') {
                    at--;
                    throw expected("',' or '}'");
                }
                skipWhitespace();
            }
        }
        skipWhitespace();
        if (at < line.length) {
            throw new Refused("content after the JSON object at byte " + at);
        }
        if (!sawUid) {
            return new Invalid(BackendError.MISSING_UID, "no top-level \"uid\" field");
        }
        if (uid == null) {
            return new Invalid(BackendError.INVALID_UID, "\"uid\" must be a string or an integer");
        }
        return new SeedPush(uid, line);
    }

    /** Reads {@code "name" :} and says whether the name is {@code uid}. */
    private boolean key() {
        if (peek() != '"') {
            throw expected("a field name in double quotes");
        }
        int start = at + 1;
        boolean escaped = skipString();
        int end = at - 1;
        boolean isUid = escaped
                ? "uid".equals(decode(start, end))
                : end - start == 3 && line[start] == 'u' && line[start + 1] == 'i' && line[start + 2] == 'd';
        skipWhitespace();
        if (peek() != ':') {
            throw expected("':'");
        }
        at++;
        skipWhitespace();
        return isUid;
    }

    /** The uid's value: a string, an integer's text, or {@code null} for any other JSON value. */
    private String uidValue() {
        int c = peek();
        int start = at;
        if (c == '"') {
            boolean escaped = skipString();
            return escaped
                    ? decode(start + 1, at - 1)
                    : new String(line, start + 1, at - start - 2, StandardCharsets.UTF_8);
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            boolean integer = skipNumber();
            return integer ? new String(line, start, at - start, StandardCharsets.US_ASCII) : null;
        }
        skipValue(1);
        return null;
    }

    /**
     * Skips one value of any kind, nested ones included, with a loop rather than recursion so that deep
     * nesting is an error and never a stack overflow. {@code depth} is the nesting of the value's parent.
     */
    private void skipValue(int depth) {
        int base = depth;
        // Bit i of kinds: whether the container at depth base + 1 + i is an object (else an array); deeper
        // containers than 64 below the start keep their kind in the array.
        long kinds = 0;
        boolean[] deepKinds = null;
        while (true) {
            // A value starts here.
            skipWhitespace();
            int c = peek();
            if (c == '{' || c == '[') {
                at++;
                if (++depth > MAX_DEPTH) {
                    throw new Refused("nesting deeper than " + MAX_DEPTH + " levels at byte " + (at - 1));
                }
                boolean object = c == '{';
                int level = depth - base - 1;
                if (level < 64) {
                    kinds = object ? kinds | (1L << level) : kinds & ~(1L << level);
                } else {
                    if (deepKinds == null) {
                        deepKinds = new boolean[MAX_DEPTH];
                    }
                    deepKinds[level] = object;
                }
                skipWhitespace();
                if (peek() == (object ? '}' : ']')) {
                    at++;
                    depth--;
                } else if (object) {
                    key();
                    continue;
                } else {
                    continue;
                }
            } else if (c == '"') {
                skipString();
            } else if (c == '-' || (c >= '0' && c <= '9')) {
                skipNumber();
            } else {
                literal();
            }
            // After a value: close containers, or go on with the next element.
            while (depth > base) {
                int level = depth - base - 1;
                boolean object = level < 64 ? (kinds & (1L << level)) != 0 : deepKinds[level];
                skipWhitespace();
                int next = peek();
                if (next == ',') {
                    at++;
                    skipWhitespace();
                    if (object) {
                        key();
                    }
                    break;
                }
                if (next != (object ? '}' : ']')) {
                    throw expected(object ? "',' or '}'" : "',' or ']'");
                }
                at++;
                depth--;
            }
            if (depth == base) {
                return;
            }
        }
    }

    /** Skips a string starting at its opening quote; says whether it held escapes. */
    private boolean skipString() {
        at++;
        boolean escaped = false;
        while (true) {
            if (at >= line.length) {
                throw new Refused("unterminated string at byte " + line.length);
            }
            byte b = line[at];
            if (b == '"') {
                at++;
                return escaped;
            }
            if (b == '\\') {
                escaped = true;
                int c = at + 1 < line.length ? line[at + 1] : -1;
                switch (c) {
                    case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> at += 2;
                    case 'u' -> {
                        for (int i = 2; i < 6; i++) {
                            if (at + i >= line.length || hex(line[at + i]) < 0) {
                                throw new Refused("invalid \\u escape at byte " + at);
                            }
                        }
                        at += 6;
                    }
                    default -> throw new Refused("invalid escape at byte " + at);
                }
            } else if (b >= 0 && b < 0x20) {
                throw new Refused("control character " + b + " in a string at byte " + at + " (escape it)");
            } else {
                at++;
            }
        }
    }

    /** The text of a string's contents (between its quotes) that holds escapes; already validated. */
    private String decode(int start, int end) {
        StringBuilder text = new StringBuilder(end - start);
        int i = start;
        while (i < end) {
            int run = i;
            while (i < end && line[i] != '\\') {
                i++;
            }
            text.append(new String(line, run, i - run, StandardCharsets.UTF_8));
            if (i == end) {
                break;
            }
            byte c = line[i + 1];
            switch (c) {
                case 'b' -> text.append('\b');
                case 'f' -> text.append('\f');
                case 'n' -> text.append('\n');
                case 'r' -> text.append('\r');
                case 't' -> text.append('\t');
                case 'u' -> {
                    text.append((char) ((hex(line[i + 2]) << 12)
                            | (hex(line[i + 3]) << 8)
                            | (hex(line[i + 4]) << 4)
                            | hex(line[i + 5])));
                    i += 4;
                }
                default -> text.append((char) c);
            }
            i += 2;
        }
        return text.toString();
    }

    /** Skips a number; says whether it is an integer (no fraction, no exponent). */
    private boolean skipNumber() {
        int start = at;
        if (line[at] == '-') {
            at++;
        }
        if (at < line.length && line[at] == '0') {
            at++;
            if (at < line.length && isDigit(line[at])) {
                throw new Refused("leading zero in a number at byte " + start);
            }
        } else if (!digits()) {
            throw invalidNumber(start);
        }
        boolean integer = true;
        if (at < line.length && line[at] == '.') {
            at++;
            integer = false;
            if (!digits()) {
                throw invalidNumber(start);
            }
        }
        if (at < line.length && (line[at] == 'e' || line[at] == 'E')) {
            at++;
            integer = false;
            if (at < line.length && (line[at] == '+' || line[at] == '-')) {
                at++;
            }
            if (!digits()) {
                throw invalidNumber(start);
            }
        }
        if (at < line.length && isTokenByte(line[at])) {
            throw unrecognized(start);
        }
        return integer;
    }

    private boolean digits() {
        int start = at;
        while (at < line.length && isDigit(line[at])) {
            at++;
        }
        return at > start;
    }

    /** Skips {@code true}, {@code false} or {@code null}. */
    private void literal() {
        int start = at;
        while (at < line.length && isTokenByte(line[at])) {
            at++;
        }
        int length = at - start;
        if (!(is(start, length, "true") || is(start, length, "false") || is(start, length, "null"))) {
            if (length == 0) {
                at = start;
                throw expected("a value");
            }
            throw unrecognized(start);
        }
    }

    private boolean is(int start, int length, String word) {
        if (length != word.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (line[start + i] != word.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private void skipWhitespace() {
        while (at < line.length) {
            byte b = line[at];
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return;
            }
            at++;
        }
    }

    /** The byte at the position, or -1 at the end. */
    private int peek() {
        return at < line.length ? line[at] : -1;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    /** Bytes that continue a bare token: letters, digits, and the rest of UTF-8 text. */
    private static boolean isTokenByte(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || isDigit(b) || b == '_' || b < 0;
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }

    private Refused expected(String what) {
        if (at >= line.length) {
            return new Refused("unexpected end of the line: expected " + what);
        }
        int start = at;
        if (isTokenByte(line[at])) {
            while (at < line.length && isTokenByte(line[at]) && at - start < 64) {
                at++;
            }
            return new Refused("unrecognized token '" + token(start, at) + "' at byte " + start + ": expected " + what);
        }
        return new Refused("unexpected character " + describe(start) + " at byte " + start + ": expected " + what);
    }

    private Refused unrecognized(int start) {
        int end = start;
        do {
            end++;
        } while (end < line.length && isTokenByte(line[end]) && end - start < 64);
        return new Refused("unrecognized token '" + token(start, end) + "' at byte " + start);
    }

    private Refused invalidNumber(int start) {
        return new Refused("invalid number at byte " + start);
    }

    private String token(int start, int end) {
        return new String(line, start, end - start, StandardCharsets.UTF_8);
    }

    private String describe(int index) {
        byte b = line[index];
        return b >= 0x20 && b < 0x7F ? "'" + (char) b + "'" : "(byte " + (b & 0xFF) + ")";
    }

    /** Why a line is refused; thrown only on that path, so it carries no stack trace. */
    private static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }
}
