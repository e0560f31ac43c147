package dev.herald.protocol;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.herald.core.testkit.Fuzz;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Generators for the fuzz suite: near-valid input rather than noise alone. JSON trees written as text
 * (escapes, odd whitespace, big numbers), those texts mutated a few bytes at a time, random UTF-8 and
 * UTF-8 with malformed sequences spliced in.
 */
public final class FuzzInputs {

    /** Bytes the JSON grammar cares about, used to mutate near-valid input. */
    private static final byte[] GRAMMAR =
            "{}[]\",:\\ 0123456789-+.eEtrufalsn\t\r\nux/b".getBytes(StandardCharsets.US_ASCII);

    /** Malformed UTF-8: stray continuation, overlong forms, surrogates, past U+10FFFF, truncated sequences. */
    private static final List<byte[]> BAD_UTF8 = List.of(
            new byte[] {(byte) 0x80},
            new byte[] {(byte) 0xBF},
            new byte[] {(byte) 0xC0, (byte) 0x80},
            new byte[] {(byte) 0xC1, (byte) 0xBF},
            new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0x80},
            new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            new byte[] {(byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0x80},
            new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
            new byte[] {(byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80},
            new byte[] {(byte) 0xFF},
            new byte[] {(byte) 0xE2, (byte) 0x82},
            new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x98});

    private FuzzInputs() {}

    public static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A JSON string literal for {@code text}, quotes included. */
    public static String quote(String text) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + "\"";
    }

    /**
     * Short well-formed strings: ASCII, any code point, and the empty string (a lone surrogate is written
     * only as an escape, by {@link #stringLiteral}).
     */
    public static String strings(Random r) {
        while (true) {
            String text = switch (r.nextInt(3)) {
                case 0 -> Fuzz.alphanumeric(r, 0, 12);
                case 1 -> anyChars(r, 0, 12);
                default -> Fuzz.string(r, "a\u00e9\u7528\u0000\n\"\\", 0, 6);
            };
            if (isWellFormed(text)) {
                return text;
            }
        }
    }

    /** A string of any char but a surrogate (a code point up to U+FFFF). */
    public static String anyChars(Random r, int min, int max) {
        int length = Fuzz.length(r, min, max);
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            char c = switch (r.nextInt(4)) {
                case 0 -> (char) r.nextInt(0x80);
                case 1 -> Fuzz.oneOf(r, '\u0000', '\u007F', '\u0080', '\u07FF', '\u0800', '\uD7FF', '\uE000', '\uFFFF');
                default -> (char) r.nextInt(0x10000);
            };
            out.append(Character.isSurrogate(c) ? (char) (c + 0x800) : c);
        }
        return out.toString();
    }

    /** Whether {@code text} has no lone surrogate, so that its UTF-8 reads back as itself. */
    public static boolean isWellFormed(String text) {
        return text.equals(new String(utf8(text), StandardCharsets.UTF_8));
    }

    /** A JSON string literal, sometimes with a needless escape. */
    public static String stringLiteral(Random r) {
        return r.nextInt(7) < 6
                ? quote(strings(r))
                : Fuzz.oneOf(r, "\"\\u0075id\"", "\"\\/\"", "\"\\ud83d\\ude00\"", "\"\\ud800\"");
    }

    public static String scalar(Random r) {
        return switch (r.nextInt(4)) {
            case 0 ->
                Fuzz.oneOf(r, "null", "true", "false", "0", "-0", "1e5", "-1.5E+3", "123456789012345678901234567890");
            case 1 -> String.valueOf(Fuzz.anyLong(r));
            case 2 -> String.valueOf(anyDouble(r));
            default -> stringLiteral(r);
        };
    }

    /** A finite double: small, large, tiny, or an edge. */
    public static double anyDouble(Random r) {
        return switch (r.nextInt(5)) {
            case 0 -> Fuzz.oneOf(r, 0.0, -0.0, 1.0, -1.0, Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_VALUE);
            case 1 -> (r.nextDouble() - 0.5) * 1000;
            case 2 -> Double.longBitsToDouble(r.nextLong() & 0x7FEF_FFFF_FFFF_FFFFL) * (r.nextBoolean() ? 1 : -1);
            default -> r.nextGaussian() * Math.pow(10, r.nextInt(40) - 20);
        };
    }

    /** Any JSON value, nested up to four levels. */
    public static String json(Random r) {
        return json(r, r.nextInt(5));
    }

    private static String json(Random r, int depth) {
        if (depth == 0) {
            return scalar(r);
        }
        return switch (r.nextInt(3)) {
            case 0 -> json(r, depth - 1);
            case 1 -> {
                int size = Fuzz.length(r, 0, 4);
                List<String> items = new ArrayList<>();
                for (int i = 0; i < size; i++) {
                    items.add(json(r, depth - 1));
                }
                yield "[" + String.join(",", items) + "]";
            }
            default -> object(r, g -> g.nextBoolean() ? stringLiteral(g) : keys(g), g -> json(g, depth - 1));
        };
    }

    /** Field names a parser looks for, as literals. */
    public static String keys(Random r) {
        return quote(Fuzz.oneOf(r, KEYS));
    }

    private static final List<String> KEYS = List.of(
            "uid",
            "uids",
            "t",
            "token",
            "streams",
            "e",
            "o",
            "data",
            "group",
            "groups",
            "all",
            "exclude",
            "connections",
            "ttl",
            "id",
            "key",
            "receipt",
            "after",
            "limit",
            "details",
            "reason",
            "uid ");

    /** An object with up to five fields from {@code names} and {@code values}, with random whitespace. */
    public static String object(Random r, Function<Random, String> names, Function<Random, String> values) {
        int size = Fuzz.length(r, 0, 5);
        List<String> fields = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            String space = Fuzz.oneOf(r, "", "", "", " ", "\t", "\r\n ");
            fields.add(names.apply(r) + space + ":" + space + values.apply(r));
        }
        return "{" + String.join(",", fields) + "}";
    }

    /** {@code text} with one to three bytes inserted, dropped or replaced. */
    public static byte[] mutated(Random r, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int edits = 1 + r.nextInt(3);
        for (int e = 0; e < edits; e++) {
            bytes = mutate(bytes, r);
        }
        return bytes;
    }

    /** Random text as UTF-8, random bytes, and UTF-8 with a malformed sequence spliced in. */
    public static byte[] noise(Random r) {
        return switch (r.nextInt(3)) {
            case 0 -> utf8(Fuzz.anyString(r, 40));
            case 1 -> Fuzz.bytes(r, 40);
            default -> badUtf8(r, json(r));
        };
    }

    /** {@code text} as UTF-8 with one malformed sequence inserted somewhere. */
    public static byte[] badUtf8(Random r, String text) {
        byte[] bad = Fuzz.oneOf(r, BAD_UTF8);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int at = r.nextInt(bytes.length + 1);
        byte[] out = new byte[bytes.length + bad.length];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(bad, 0, out, at, bad.length);
        System.arraycopy(bytes, at, out, at + bad.length, bytes.length - at);
        return out;
    }

    public static byte[] mutate(byte[] line, Random random) {
        int at = line.length == 0 ? 0 : random.nextInt(line.length);
        byte b = GRAMMAR[random.nextInt(GRAMMAR.length)];
        switch (random.nextInt(3)) {
            case 0 -> {
                byte[] grown = new byte[line.length + 1];
                System.arraycopy(line, 0, grown, 0, at);
                grown[at] = b;
                System.arraycopy(line, at, grown, at + 1, line.length - at);
                return grown;
            }
            case 1 -> {
                if (line.length == 0) {
                    return line;
                }
                byte[] shrunk = new byte[line.length - 1];
                System.arraycopy(line, 0, shrunk, 0, at);
                System.arraycopy(line, at + 1, shrunk, at, line.length - at - 1);
                return shrunk;
            }
            default -> {
                byte[] copy = line.clone();
                if (copy.length > 0) {
                    copy[at] = b;
                }
                return copy;
            }
        }
    }
}
