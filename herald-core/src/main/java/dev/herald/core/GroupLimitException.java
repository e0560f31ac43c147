package dev.herald.core;

/**
 * A {@code join} would put a uid in more groups than the hub allows ({@code api.max-groups-per-uid}):
 * nothing of that join was applied.
 */
public final class GroupLimitException extends RuntimeException {

    private final String uid;
    private final int max;

    public GroupLimitException(String uid, int max) {
        super("uid " + uid + " is in " + max + " groups already (api.max-groups-per-uid)", null, false, false);
        this.uid = uid;
        this.max = max;
    }

    /** The first uid found at the limit. */
    public String uid() {
        return uid;
    }

    public int max() {
        return max;
    }
}
