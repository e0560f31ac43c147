package dev.herald.core.history;

/**
 * The names of streams: every uid, every group and everyone has one ordered stream, named {@code
 * u:<uid>}, {@code g:<group>} and {@code *}. Clients see these names in {@code herald.v1} frames.
 */
public final class Streams {

    /** The stream of pushes to everyone. */
    public static final String ALL = "*";

    private static final String UID_PREFIX = "u:";
    private static final String GROUP_PREFIX = "g:";

    private Streams() {}

    public static String ofUid(String uid) {
        return UID_PREFIX + uid;
    }

    public static String ofGroup(String group) {
        return GROUP_PREFIX + group;
    }

    public static boolean isUid(String stream) {
        return stream.startsWith(UID_PREFIX);
    }

    public static boolean isGroup(String stream) {
        return stream.startsWith(GROUP_PREFIX);
    }

    /** The group of a {@code g:} stream, or {@code null}. */
    public static String group(String stream) {
        return isGroup(stream) ? stream.substring(GROUP_PREFIX.length()) : null;
    }

    /** The uid of a {@code u:} stream, or {@code null}. */
    public static String uid(String stream) {
        return isUid(stream) ? stream.substring(UID_PREFIX.length()) : null;
    }

    /** Whether a name is one a stream can have. */
    public static boolean isValid(String stream) {
        return stream.equals(ALL)
                || (isUid(stream) && stream.length() > UID_PREFIX.length())
                || (isGroup(stream) && stream.length() > GROUP_PREFIX.length());
    }
}
