package dev.herald.netty.backend;

import dev.herald.core.PushResult;
import java.util.concurrent.atomic.LongAdder;

/**
 * An adapter's pushes by result: {@code ok} (reached a connection), {@code fail} (reached none),
 * {@code error} (refused or failed). Thread-safe.
 */
public final class PushCounts implements CommandExecutor.PushListener {

    private final LongAdder ok = new LongAdder();
    private final LongAdder fail = new LongAdder();
    private final LongAdder error = new LongAdder();

    @Override
    public void pushed(PushResult result) {
        (result.delivered() ? ok : fail).increment();
    }

    @Override
    public void failed() {
        error.increment();
    }

    public long ok() {
        return ok.sum();
    }

    public long fail() {
        return fail.sum();
    }

    public long error() {
        return error.sum();
    }
}
