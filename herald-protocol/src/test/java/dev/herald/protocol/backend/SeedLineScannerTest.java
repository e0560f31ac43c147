package dev.herald.protocol.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import dev.herald.protocol.FuzzInputs;
import dev.herald.protocol.Utf8;
import dev.herald.protocol.backend.BackendCommand.Invalid;
import dev.herald.protocol.backend.BackendCommand.SeedPush;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The seed-line scanner against a reference: Jackson's strict parser, which decided seed lines before
 * the scanner replaced it. Both must classify every line the same way (the uid, or the error code).
 */
class SeedLineScannerTest {

    private static final JsonFactory JSON = JsonFactory.builder().build();

    static Stream<Arguments> lines() {
        return Stream.of(
                Arguments.of("nested containers", "{\"a\":[1,{\"b\":[[],{}]},\"x\"],\"uid\":\"u\"}"),
                Arguments.of("every scalar", "{\"uid\":\"u\",\"a\":true,\"b\":false,\"c\":null,\"d\":-1.5e+3}"),
                Arguments.of("escapes in other strings", "{\"uid\":\"u\",\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"}"),
                Arguments.of("escaped key", "{\"\\u0075id\":\"u\"}"),
                Arguments.of("escaped key that is not uid", "{\"\\u0075ix\":\"u\",\"uid\":\"v\"}"),
                Arguments.of("surrogate pair uid", "{\"uid\":\"\\ud83d\\ude00\"}"),
                Arguments.of("negative zero uid", "{\"uid\":-0}"),
                Arguments.of("big integer uid", "{\"uid\":123456789012345678901234567890}"),
                Arguments.of("exponent uid", "{\"uid\":1e5}"),
                Arguments.of("leading zero", "{\"uid\":01}"),
                Arguments.of("bare minus", "{\"uid\":\"a\",\"x\":-}"),
                Arguments.of("dot without digits", "{\"uid\":\"a\",\"x\":1.}"),
                Arguments.of("plus sign", "{\"uid\":\"a\",\"x\":+1}"),
                Arguments.of("letters after a number", "{\"uid\":\"a\",\"x\":1x}"),
                Arguments.of("truncated literal", "{\"uid\":\"a\",\"x\":nul}"),
                Arguments.of("capital literal", "{\"uid\":\"a\",\"x\":True}"),
                Arguments.of("missing value", "{\"uid\":}"),
                Arguments.of("missing value in array", "{\"uid\":\"a\",\"x\":[1,]}"),
                Arguments.of("array closed by a brace", "{\"uid\":\"a\",\"x\":[1}"),
                Arguments.of("object closed by a bracket", "{\"uid\":\"a\",\"x\":{\"y\":1]}"),
                Arguments.of("truncated escape", "{\"uid\":\"\\u00\"}"),
                Arguments.of("escape at the end", "{\"uid\":\"\\"),
                Arguments.of("key without colon in nested object", "{\"uid\":\"a\",\"x\":{\"y\"}}"),
                Arguments.of("unquoted nested key", "{\"uid\":\"a\",\"x\":{y:1}}"),
                Arguments.of("whitespace everywhere", " \t\r\n{ \"uid\" : [ 1 , 2 ] , \"uid\" : \"b\" } \r\n\t "),
                Arguments.of("only whitespace", " \t "),
                Arguments.of("deepest nesting accepted", deep(SeedLineScanner.MAX_DEPTH - 1)),
                Arguments.of("one level too deep", deep(SeedLineScanner.MAX_DEPTH)),
                Arguments.of(
                        "deep objects", "{\"uid\":\"a\",\"x\":" + "{\"k\":".repeat(200) + "1" + "}".repeat(200) + "}"));
    }

    /** The top-level object holding {@code levels} nested arrays: {@code levels + 1} levels in all. */
    private static String deep(int levels) {
        return "{\"uid\":\"a\",\"x\":" + "[".repeat(levels) + "]".repeat(levels) + "}";
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lines")
    void classifiesAsJacksonDoes(String name, String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        assertThat(outcome(SeedLineScanner.scan(bytes))).isEqualTo(outcome(reference(bytes)));
    }

    /** Random edits of valid lines: every byte the grammar cares about, inserted, dropped or replaced. */
    @Test
    void mutatedLinesAreClassifiedAsJacksonDoes() {
        String[] seeds = {
            "{\"uid\":\"uid1\",\"percent\":\"88%\"}",
            "{\"data\":{\"uid\":\"x\",\"list\":[1,2.5,-3e2,true,false,null]},\"uid\":42}",
            "{\"uid\":\"a\\\"b\\u0041\",\"s\":\"\\n\\t\",\"o\":{},\"l\":[]}",
            " { \"uid\" : \"用户\" , \"n\" : [ [ { } ] ] } ",
        };
        Random random = new Random(42);
        int checked = 0;
        int pushes = 0;
        for (int round = 0; round < 100_000; round++) {
            byte[] line = seeds[random.nextInt(seeds.length)].getBytes(StandardCharsets.UTF_8);
            int edits = 1 + random.nextInt(3);
            for (int e = 0; e < edits; e++) {
                line = FuzzInputs.mutate(line, random);
            }
            if (line.length == 0 || !Utf8.isValid(line, 0, line.length)) {
                continue;
            }
            checked++;
            String text = new String(line, StandardCharsets.UTF_8);
            BackendCommand scanned = SeedLineScanner.scan(line);
            assertThat(outcome(scanned)).as("line %s", text).isEqualTo(outcome(reference(line)));
            pushes += scanned instanceof SeedPush ? 1 : 0;
        }
        assertThat(checked).isGreaterThan(50_000);
        assertThat(pushes).as("lines that are still pushes").isBetween(checked / 10, checked * 9 / 10);
    }

    @Test
    void refusalsSayWhatAndWhere() {
        assertThat(detail("n0")).isEqualTo("unrecognized token 'n0' at byte 0: expected a JSON object");
        assertThat(detail("{\"uid\":\"a\"}x")).isEqualTo("content after the JSON object at byte 11");
        assertThat(detail("{\"uid\":\"a\"")).isEqualTo("unexpected end of the line: expected ',' or '}'");
        assertThat(detail("{\"uid\":\"a\",}"))
                .isEqualTo("unexpected character '}' at byte 11: expected a field name in double quotes");
        assertThat(detail("{\"uid\":\"a\tb\"}")).isEqualTo("control character 9 in a string at byte 9 (escape it)");
        assertThat(detail(deep(SeedLineScanner.MAX_DEPTH))).startsWith("nesting deeper than 1000 levels at byte ");
    }

    @Test
    void theLineIsForwardedAsItIs() {
        byte[] line = "{\"uid\":\"a\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(((SeedPush) SeedLineScanner.scan(line)).line()).isSameAs(line);
    }

    private static String detail(String line) {
        return ((Invalid) SeedLineScanner.scan(line.getBytes(StandardCharsets.UTF_8))).detail();
    }

    /** An uid, or an error code: what a backend sees. */
    static String outcome(BackendCommand command) {
        return command instanceof SeedPush push
                ? "uid " + push.uid()
                : ((Invalid) command).error().name();
    }

    /** How seed lines were read with Jackson before the scanner. */
    static BackendCommand reference(byte[] line) {
        try (JsonParser parser = JSON.createParser(line)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return new Invalid(BackendError.INVALID_JSON, "expected a JSON object");
            }
            String uid = null;
            JsonToken uidType = null;
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                boolean isUid = "uid".equals(parser.currentName());
                JsonToken value = parser.nextToken();
                if (isUid) {
                    uidType = value;
                    uid = value == JsonToken.VALUE_STRING || value == JsonToken.VALUE_NUMBER_INT
                            ? parser.getText()
                            : null;
                }
                parser.skipChildren();
            }
            if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
                return new Invalid(BackendError.INVALID_JSON, "malformed");
            }
            if (uidType == null) {
                return new Invalid(BackendError.MISSING_UID, "no uid");
            }
            if (uid == null) {
                return new Invalid(BackendError.INVALID_UID, "not a string or integer");
            }
            return new SeedPush(uid, line);
        } catch (StreamReadException e) {
            return new Invalid(BackendError.INVALID_JSON, e.getOriginalMessage());
        } catch (IOException e) {
            return new Invalid(BackendError.INVALID_JSON, e.getMessage());
        }
    }
}
