package dev.herald.protocol.backend;

import dev.herald.protocol.Utf8;
import dev.herald.protocol.backend.BackendCommand.Invalid;
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
        return SeedLineScanner.scan(line);
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
}
