package dev.herald.protocol;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

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
     * only as an escape, by {@link #stringLiteral()}).
     */
    public static Arbitrary<String> strings() {
        return Arbitraries.oneOf(
                        Arbitraries.strings().alpha().numeric().ofMaxLength(12),
                        anyChars().ofMaxLength(12),
                        Arbitraries.strings().withChars("aé用\u0000\n\"\\").ofMaxLength(6))
                .filter(FuzzInputs::isWellFormed);
    }

    /** Strings of any char but a surrogate (a code point up to U+FFFF),. */
    public static net.jqwik.api.arbitraries.StringArbitrary anyChars() {
        return Arbitraries.strings().withCharRange('\u0000', '\uD7FF').withCharRange('\uE000', '\uFFFF');
    }

    /** Whether {@code text} has no lone surrogate, so that its UTF-8 reads back as itself. */
    public static boolean isWellFormed(String text) {
        return text.equals(new String(utf8(text), StandardCharsets.UTF_8));
    }

    /** A JSON string literal, sometimes with a needless escape. */
    public static Arbitrary<String> stringLiteral() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, strings().map(FuzzInputs::quote)),
                net.jqwik.api.Tuple.of(
                        1, Arbitraries.of("\"\\u0075id\"", "\"\\/\"", "\"\\ud83d\\ude00\"", "\"\\ud800\"")));
    }

    public static Arbitrary<String> scalar() {
        return Arbitraries.oneOf(
                Arbitraries.of("null", "true", "false", "0", "-0", "1e5", "-1.5E+3", "123456789012345678901234567890"),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.doubles().map(String::valueOf),
                stringLiteral());
    }

    /** Any JSON value, nested up to four levels. */
    public static Arbitrary<String> json() {
        return Arbitraries.recursive(FuzzInputs::scalar, FuzzInputs::container, 0, 4);
    }

    private static Arbitrary<String> container(Arbitrary<String> inner) {
        return Arbitraries.oneOf(
                inner,
                inner.list().ofMaxSize(4).map(items -> "[" + String.join(",", items) + "]"),
                object(Arbitraries.oneOf(stringLiteral(), keys()), inner));
    }

    /** Field names a parser looks for, as literals. */
    public static Arbitrary<String> keys() {
        return Arbitraries.of(
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
                        "uid ")
                .map(FuzzInputs::quote);
    }

    /** An object with fields from {@code names} and values from {@code values}, with random whitespace. */
    public static Arbitrary<String> object(Arbitrary<String> names, Arbitrary<String> values) {
        Arbitrary<String> space = Arbitraries.of("", "", "", " ", "\t", "\r\n ");
        return Combinators.combine(names, space, values)
                .as((name, s, value) -> name + s + ":" + s + value)
                .list()
                .ofMaxSize(5)
                .map(fields -> "{" + String.join(",", fields) + "}");
    }

    /** {@code text} with one to three bytes inserted, dropped or replaced. */
    public static Arbitrary<byte[]> mutated(Arbitrary<String> text) {
        return Combinators.combine(text, Arbitraries.randoms()).as((t, random) -> {
            byte[] bytes = t.getBytes(StandardCharsets.UTF_8);
            int edits = 1 + random.nextInt(3);
            for (int e = 0; e < edits; e++) {
                bytes = mutate(bytes, random);
            }
            return bytes;
        });
    }

    /** Random text as UTF-8, random bytes, and UTF-8 with a malformed sequence spliced in. */
    public static Arbitrary<byte[]> noise() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(40).map(FuzzInputs::utf8),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40),
                badUtf8(json()));
    }

    /** {@code text} as UTF-8 with one malformed sequence inserted somewhere. */
    public static Arbitrary<byte[]> badUtf8(Arbitrary<String> text) {
        return Combinators.combine(text, Arbitraries.of(BAD_UTF8), Arbitraries.randoms())
                .as((t, bad, random) -> {
                    byte[] bytes = t.getBytes(StandardCharsets.UTF_8);
                    int at = random.nextInt(bytes.length + 1);
                    byte[] out = new byte[bytes.length + bad.length];
                    System.arraycopy(bytes, 0, out, 0, at);
                    System.arraycopy(bad, 0, out, at, bad.length);
                    System.arraycopy(bytes, at, out, at + bad.length, bytes.length - at);
                    return out;
                });
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
