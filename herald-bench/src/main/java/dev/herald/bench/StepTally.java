package dev.herald.bench;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts what clients receive during one measured step: messages whose {@code seq} is at least the
 * step's first are delivered and timed; older ones arrive late from an earlier step.
 */
final class StepTally implements Clients.MessageSink {

    final long firstSeq;
    final Latency latency = new Latency();
    final LongAdder delivered = new LongAdder();
    final LongAdder late = new LongAdder();

    StepTally(long firstSeq) {
        this.firstSeq = firstSeq;
    }

    @Override
    public void onMessage(Client client, long seq, long latencyNanos) {
        if (seq < firstSeq) {
            late.increment();
            return;
        }
        delivered.increment();
        latency.record(latencyNanos);
    }
}
