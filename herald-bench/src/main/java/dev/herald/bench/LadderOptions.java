package dev.herald.bench;

import java.time.Duration;
import java.util.Map;
import java.util.function.LongUnaryOperator;
import picocli.CommandLine.Option;

/**
 * The options of a ladder of paced steps that {@code fanout} and {@code targeted} share: an unreported
 * warm-up step before the ladder, and the drain after each step.
 */
final class LadderOptions {

    @Option(
            names = "--warmup",
            defaultValue = "3s",
            description = "An unreported step at the first rate before the ladder (JIT warm-up). Default: "
                    + "${DEFAULT-VALUE}.")
    Duration warmup;

    @Option(
            names = "--tick",
            defaultValue = "250us",
            description = "Least time between two batches of the pacer (one per backend each); it wakes only when "
                    + "something is due. Default: ${DEFAULT-VALUE}.")
    Duration tick;

    @Option(
            names = "--drain",
            defaultValue = "5s",
            description = "After each step, wait at most this long for what was sent to arrive; what has not "
                    + "arrived then is lost. Default: ${DEFAULT-VALUE}.")
    Duration drain;

    /** Runs the warm-up step at {@code rate} unless it is {@code 0s}, and notes it in {@code results}. */
    void warmUp(
            BenchRun run,
            Backends backends,
            double rate,
            Pacer.Batch batch,
            LongUnaryOperator expectedFor,
            Map<String, Object> results) {
        if (!warmup.isZero()) {
            PacedStep.Outcome w = PacedStep.run(run, backends, rate, warmup, drain, tick, batch, expectedFor);
            results.put("warmup", Map.of("rate", rate, "delivered", w.delivered(), "lost", w.lost()));
        }
    }

    /** Runs one measured step of the ladder. */
    PacedStep.Outcome step(
            BenchRun run,
            Backends backends,
            double rate,
            Duration duration,
            Pacer.Batch batch,
            LongUnaryOperator expectedFor) {
        return PacedStep.run(run, backends, rate, duration, drain, tick, batch, expectedFor);
    }
}
