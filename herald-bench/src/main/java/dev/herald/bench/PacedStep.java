package dev.herald.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongUnaryOperator;
import org.HdrHistogram.Histogram;

/**
 * One step of a rate ladder: paces {@code batch} at a rate for a duration, then waits (at most the
 * drain time) until the clients received what was sent and the backends got every reply; measures
 * deliveries, loss, latency at the clients and CPU of both processes over the step and its drain.
 */
final class PacedStep {

    /** Largest batch, in seconds' worth of the rate: a stall of the sender skips, not bursts. */
    static final double MAX_BURST_SECONDS = 0.05;

    /** What a step measured. */
    record Outcome(
            double targetRate,
            long sent,
            long skipped,
            long elapsedNanos,
            long expected,
            long delivered,
            long late,
            Histogram latency,
            CpuMeter.Usage cpu,
            long ok,
            long fail,
            long errors,
            long reportedConnections,
            String firstError,
            boolean drained) {

        long lost() {
            return Math.max(0, expected - delivered);
        }

        double achievedRate() {
            return Latency.round(sent * 1e9 / Math.max(1, elapsedNanos), 1);
        }

        double deliveredPerSecond() {
            return Latency.round(delivered * 1e9 / Math.max(1, elapsedNanos), 1);
        }

        double p99Millis() {
            return latency.getValueAtPercentile(99) / 1000.0;
        }

        /** The step as a result map; {@code per} names what the server's and the tool's CPU are divided by. */
        Map<String, Object> toMap(String per, long perCount) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("targetRate", targetRate);
            m.put("achievedRate", achievedRate());
            m.put("sent", sent);
            m.put("skipped", skipped);
            m.put("expected", expected);
            m.put("delivered", delivered);
            m.put("lost", lost());
            m.put("late", late);
            m.put("deliveredPerSecond", deliveredPerSecond());
            m.put("latencyMs", Latency.summary(latency));
            m.put("serverCpuUsPer" + per, cpu.serverMicrosPer(perCount));
            m.put("clientCpuUsPer" + per, cpu.clientMicrosPer(perCount));
            m.putAll(cpu.toMap());
            Map<String, Object> replies = new LinkedHashMap<>();
            replies.put("ok", ok);
            replies.put("fail", fail);
            replies.put("errors", errors);
            if (reportedConnections > 0) {
                replies.put("reportedConnections", reportedConnections);
            }
            if (firstError != null) {
                replies.put("firstError", firstError);
            }
            m.put("replies", replies);
            m.put("drained", drained);
            return m;
        }
    }

    private PacedStep() {}

    /**
     * Runs one step.
     *
     * @param expectedFor deliveries the clients should get for a number of sent items
     */
    static Outcome run(
            BenchRun run,
            Backends backends,
            double rate,
            Duration duration,
            Duration drain,
            Duration tick,
            Pacer.Batch batch,
            LongUnaryOperator expectedFor) {
        // Collect the garbage of what came before (connecting, the last step) now, outside the window, so
        // that the tool's own collector does not pause inside it: sending allocates nothing per line, and
        // an empty young generation outlasts any step.
        System.gc();
        StepTally tally = new StepTally(run.nextSeq());
        run.clients.sink(tally);
        long ok = backends.ok();
        long fail = backends.fail();
        long errors = backends.errors();
        long reported = backends.reportedConnections();
        CpuMeter cpu = CpuMeter.start(run);
        long start = System.nanoTime();
        Pacer pacer = new Pacer(rate, start, Pacer.burstOf(rate, MAX_BURST_SECONDS));
        long end = pacer.driveOn(backends.eventLoop(), duration.toNanos(), tick.toNanos(), batch)
                .join();
        long expected = expectedFor.applyAsLong(pacer.sent());
        long deadline = System.nanoTime() + drain.toNanos();
        boolean drained;
        while (!(drained = tally.delivered.sum() >= expected && backends.replies() >= backends.written())
                && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        CpuMeter.Usage usage = cpu.stop();
        return new Outcome(
                rate,
                pacer.sent(),
                pacer.skipped(),
                end - start,
                expected,
                tally.delivered.sum(),
                tally.late.sum(),
                tally.latency.take(),
                usage,
                backends.ok() - ok,
                backends.fail() - fail,
                backends.errors() - errors,
                backends.reportedConnections() - reported,
                backends.firstError(),
                drained);
    }
}
