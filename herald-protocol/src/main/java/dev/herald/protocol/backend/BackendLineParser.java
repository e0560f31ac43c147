package dev.herald.protocol.backend;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import dev.herald.protocol.Utf8;
import dev.herald.protocol.backend.BackendCommand.Invalid;
import dev.herald.protocol.backend.BackendCommand.SeedPush;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Decodes one Text-port line (without its line ending) into a {@link BackendCommand}.
 *
 * <p>A line whose first word is a command verb ({@link CommandParser#VERBS}) followed by a space or
 * the end of the line is that command, its parameters the JSON after the space: {@code push
 * {"uids":["a"],"data":"hi"}}. Every other line is a seed line: a seed line starts with {@code &#123;}
 * (a JSON object), so it can never be mistaken for a command.
 *
 * <p>A line that is one JSON object with a top-level {@code uid} is the seed's push. The uid is a
 * string, or an integer taken as its decimal text (PHP's {@code json_encode(['uid' => 42])}, which
 * the seed accepts). Nested {@code uid} fields are the application's own and are ignored; if the
 * key repeats, the last one wins, as in PHP's {@code json_decode}.
 *
 * <p>Thread-safe; the command limits are read for each command (see {@link CommandParser}).
 */
public final class BackendLineParser {

    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final int LONGEST_VERB =
            CommandParser.VERBS.stream().mapToInt(String::length).max().orElseThrow();

    private final CommandParser commands;

    public BackendLineParser(CommandLimits limits) {
        this.commands = new CommandParser(limits);
    }

    /** A parser that reads the command limits from {@code limits} for each command. */
    public BackendLineParser(Supplier<CommandLimits> limits) {
        this.commands = new CommandParser(limits);
    }

    /** Decodes a line. The array becomes part of the command: the caller must not change it. */
    public BackendCommand parse(byte[] line) {
        if (line.length == 0) {
            return new Invalid(BackendError.EMPTY_LINE, "empty line");
        }
        // The verb is ASCII, so it is found before the UTF-8 check: a command gets a JSON reply even
        // when its parameters are not UTF-8.
        String verb = verb(line);
        if (verb != null) {
            int start = Math.min(verb.length() + 1, line.length);
            return commands.parse(verb, line, start, line.length - start);
        }
        if (!Utf8.isValid(line, 0, line.length)) {
            return new Invalid(BackendError.INVALID_UTF8, "line is not valid UTF-8");
        }
        return seedLine(line);
    }

    /** The command verb that starts the line, followed by a space or the end, or {@code null}. */
    private static String verb(byte[] line) {
        int end = 0;
        while (end < line.length && end <= LONGEST_VERB && line[end] >= 'a' && line[end] <= 'z') {
            end++;
        }
        if (end == 0 || (end < line.length && line[end] != ' ')) {
            return null;
        }
        String verb = new String(line, 0, end, StandardCharsets.US_ASCII);
        return CommandParser.VERBS.contains(verb) ? verb : null;
    }

    private BackendCommand seedLine(byte[] line) {
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
            if (token != JsonToken.END_OBJECT) {
                return new Invalid(BackendError.INVALID_JSON, "unterminated object");
            }
            if (parser.nextToken() != null) {
                return new Invalid(BackendError.INVALID_JSON, "content after the JSON object");
            }
            if (uidType == null) {
                return new Invalid(BackendError.MISSING_UID, "no top-level \"uid\" field");
            }
            if (uid == null) {
                return new Invalid(BackendError.INVALID_UID, "\"uid\" must be a string or an integer");
            }
            return new SeedPush(uid, line);
        } catch (StreamReadException e) {
            long at = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
            return new Invalid(BackendError.INVALID_JSON, e.getOriginalMessage() + (at >= 0 ? " at byte " + at : ""));
        } catch (IOException e) {
            return new Invalid(BackendError.INVALID_JSON, e.getMessage());
        }
    }
}
