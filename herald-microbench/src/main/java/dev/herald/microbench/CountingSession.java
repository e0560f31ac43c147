package dev.herald.microbench;

import dev.herald.core.CloseReason;
import dev.herald.core.Session;
import dev.herald.core.SessionId;
import dev.herald.core.history.Publication;

/**
 * A session whose {@link #send} only counts, so a benchmark measures the core's routing and not a
 * transport. Each session has its own counter, as each real connection touches its own state.
 *
 * <p>Not thread-safe, unlike the {@link Session} contract asks: the benchmarks deliver from one thread,
 * and an atomic increment would add its own cost to every delivery measured.
 */
final class CountingSession implements Session {

    private final SessionId id = SessionId.next();
    private long sent;

    @Override
    public SessionId id() {
        return id;
    }

    @Override
    public boolean send(Publication publication) {
        sent++;
        return true;
    }

    @Override
    public void close(CloseReason reason, String text) {}

    /** Messages sent so far. */
    long sent() {
        return sent;
    }
}
