package dev.herald.core.history;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How much of each stream is kept for clients that come back ({@code history.*}).
 *
 * <p>Every stream has positions; only some keep their messages: uid streams as {@code uids} says (by
 * default once a {@code herald.v1} client of the uid has said hello), the streams of groups whose name
 * matches one of {@code groups} (patterns where {@code *} stands for any run of
 * characters), and the everyone stream {@code *} when {@code all} is set. Each kept stream holds at most
 * {@code size} messages, none older than {@code ttl}; all of them together at most {@code maxBytes}
 * (payloads plus {@value Publication#OVERHEAD_BYTES} bytes each). A stream's position (epoch and last
 * offset) is remembered for {@code metaTtl} after its last message, for at most {@code maxStreams}
 * streams; a stream forgotten gets a new epoch with its next message.
 *
 * @param size most messages kept per stream; 0 keeps none anywhere
 * @param ttl age after which a kept message is dropped
 * @param maxBytes budget of all kept messages together
 * @param groups patterns of the group names whose streams keep messages
 * @param all whether the everyone stream keeps messages
 * @param maxReplay most messages one resume replays per stream (more missed: a gap is reported)
 * @param maxStreams most streams whose position is remembered
 * @param metaTtl how long a stream's position is remembered after its last message (at least {@code ttl})
 * @param uids which uid streams keep messages
 */
public record HistoryConfig(
        int size,
        Duration ttl,
        long maxBytes,
        List<String> groups,
        boolean all,
        int maxReplay,
        int maxStreams,
        Duration metaTtl,
        Uids uids) {

    /** Which uid streams keep history ({@code history.uids}). */
    public enum Uids {
        /**
         * A uid's stream keeps messages once a client of the uid has asked for the stream ({@code herald.v1}
         * hello, or a seed client's inbox): a deployment of seed clients keeps none and pays nothing.
         */
        V1,
        /** Every uid's stream keeps messages. */
        ALL,
        /** No uid's stream does (the inbox still keeps pushes with a ttl). */
        NONE
    }

    /** A configuration whose uid streams all keep history ({@link Uids#ALL}). */
    public HistoryConfig(
            int size,
            Duration ttl,
            long maxBytes,
            List<String> groups,
            boolean all,
            int maxReplay,
            int maxStreams,
            Duration metaTtl) {
        this(size, ttl, maxBytes, groups, all, maxReplay, maxStreams, metaTtl, Uids.ALL);
    }

    public static final int DEFAULT_SIZE = 100;
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(5);
    public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;
    public static final int DEFAULT_MAX_REPLAY = 1000;
    public static final int DEFAULT_MAX_STREAMS = 100_000;
    public static final Duration DEFAULT_META_TTL = Duration.ofHours(24);

    /**
     * The defaults: the streams of uids that have {@code herald.v1} clients keep 100 messages for 5
     * minutes; groups and everyone keep none.
     */
    public static final HistoryConfig DEFAULTS = new HistoryConfig(
            DEFAULT_SIZE,
            DEFAULT_TTL,
            DEFAULT_MAX_BYTES,
            List.of(),
            false,
            DEFAULT_MAX_REPLAY,
            DEFAULT_MAX_STREAMS,
            DEFAULT_META_TTL,
            Uids.V1);

    public HistoryConfig {
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(metaTtl, "metaTtl");
        Objects.requireNonNull(uids, "uids");
        groups = List.copyOf(groups);
        if (size < 0) {
            throw new IllegalArgumentException("size: must not be negative, was " + size);
        }
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("ttl: must not be negative, was " + ttl);
        }
        if (maxBytes < 0) {
            throw new IllegalArgumentException("max-bytes: must not be negative, was " + maxBytes);
        }
        if (maxReplay < 0) {
            throw new IllegalArgumentException("max-replay: must not be negative, was " + maxReplay);
        }
        if (maxStreams < 1) {
            throw new IllegalArgumentException("max-streams: must be at least 1, was " + maxStreams);
        }
        if (metaTtl.compareTo(ttl) < 0) {
            throw new IllegalArgumentException("meta-ttl: must be at least history.ttl (" + ttl + "), was " + metaTtl);
        }
        for (String group : groups) {
            if (group.isBlank()) {
                throw new IllegalArgumentException("groups: a pattern must not be empty");
            }
        }
    }

    /** Whether history keeps anything at all. */
    public boolean enabled() {
        return size > 0 && !ttl.isZero() && maxBytes > 0;
    }

    /**
     * Whether a stream keeps its messages from its first one on (a uid stream under {@link Uids#V1}
     * starts keeping when a client asks for it).
     */
    public boolean keeps(String stream) {
        if (!enabled()) {
            return false;
        }
        if (Streams.isUid(stream)) {
            return uids == Uids.ALL;
        }
        if (stream.equals(Streams.ALL)) {
            return all;
        }
        String group = Streams.group(stream);
        if (group == null) {
            return false;
        }
        for (String pattern : groups) {
            if (matches(pattern, group)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a uid stream starts keeping its messages when a client asks for it. */
    public boolean keepsWhenAsked(String stream) {
        return enabled() && uids == Uids.V1 && Streams.isUid(stream);
    }

    /**
     * A glob where {@code *} matches any run of characters and nothing else is special. Called once per
     * stream, when the stream is first written, so the pattern is not kept compiled.
     */
    static boolean matches(String pattern, String name) {
        if (pattern.indexOf('*') < 0) {
            return pattern.equals(name);
        }
        String[] parts = pattern.split("\\*", -1);
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                regex.append(".*");
            }
            if (!parts[i].isEmpty()) {
                regex.append(Pattern.quote(parts[i]));
            }
        }
        return Pattern.matches(regex.toString(), name);
    }
}
