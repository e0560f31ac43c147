package dev.herald.microbench;

import dev.herald.core.PushResult;
import dev.herald.protocol.backend.BackendCommand;
import dev.herald.protocol.backend.BackendCommand.Push;
import dev.herald.protocol.backend.BackendCommand.SeedPush;
import dev.herald.protocol.backend.BackendLineParser;
import dev.herald.protocol.backend.CommandLimits;
import dev.herald.protocol.backend.CommandReplies;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The Text port's codecs: {@link BackendLineParser#parse} for the seed's line, a {@code push} command
 * with groups and exclusions, and both with a 1 KiB payload; and the JSON replies of
 * {@link CommandReplies}. Lines are given without their line ending, as the line decoder passes them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LineParsingBenchmark {

    static final String SEED_LINE = "{\"uid\":\"uid123\",\"percent\":\"88%\"}";
    static final String PUSH_LINE = "push {\"uids\":[\"uid1\",\"uid2\"],\"groups\":[\"room1\",\"room2\"],"
            + "\"exclude\":{\"uids\":[\"uid3\"],\"connections\":[\"2s\",\"2t\"]},"
            + "\"data\":{\"type\":\"progress\",\"percent\":\"88%\"}}";

    private final BackendLineParser parser = new BackendLineParser(CommandLimits.defaults());
    private byte[] seedLine;
    private byte[] seedLine1KiB;
    private byte[] pushLine;
    private byte[] pushLine1KiB;
    private PushResult pushed;
    private Map<String, Boolean> online;

    @Setup
    public void setUp() {
        seedLine = SEED_LINE.getBytes(StandardCharsets.UTF_8);
        pushLine = PUSH_LINE.getBytes(StandardCharsets.UTF_8);
        String text = "x".repeat(1024 - "{\"uid\":\"uid123\",\"text\":\"\"}".length());
        seedLine1KiB = ("{\"uid\":\"uid123\",\"text\":\"" + text + "\"}").getBytes(StandardCharsets.UTF_8);
        String data = "x".repeat(1024 - "push {\"uid\":\"uid123\",\"data\":\"\"}".length());
        pushLine1KiB = ("push {\"uid\":\"uid123\",\"data\":\"" + data + "\"}").getBytes(StandardCharsets.UTF_8);
        pushed = new PushResult(3, 2);
        online = new LinkedHashMap<>();
        for (int i = 0; i < 10; i++) {
            online.put("uid" + i, i % 2 == 0);
        }

        expect(seedLine, SeedPush.class);
        expect(seedLine1KiB, SeedPush.class);
        expect(pushLine, Push.class);
        expect(pushLine1KiB, Push.class);
        if (seedLine1KiB.length != 1024 || pushLine1KiB.length != 1024) {
            throw new IllegalStateException("1 KiB lines are " + seedLine1KiB.length + ", " + pushLine1KiB.length);
        }
    }

    private void expect(byte[] line, Class<? extends BackendCommand> type) {
        BackendCommand command = parser.parse(line);
        if (!type.isInstance(command)) {
            throw new IllegalStateException("parsed as " + command);
        }
    }

    @Benchmark
    public BackendCommand seedLine() {
        return parser.parse(seedLine);
    }

    @Benchmark
    public BackendCommand seedLine1KiB() {
        return parser.parse(seedLine1KiB);
    }

    @Benchmark
    public BackendCommand pushCommand() {
        return parser.parse(pushLine);
    }

    /** A push whose {@code data} is a 1 KiB JSON string: decoded, then encoded back to UTF-8. */
    @Benchmark
    public BackendCommand pushCommand1KiB() {
        return parser.parse(pushLine1KiB);
    }

    /** {@code {"connections":3,"uids":2}}, the reply to every {@code push}. */
    @Benchmark
    public byte[] replyPushed() {
        return CommandReplies.pushed(pushed);
    }

    /** The reply to {@code online} for 10 uids. */
    @Benchmark
    public byte[] replyOnline() {
        return CommandReplies.online(online);
    }
}
