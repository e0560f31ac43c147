package dev.herald.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latencies in microseconds, recorded from many event loops at once (HdrHistogram {@link Recorder},
 * 3 significant digits, up to 60 s; longer ones count as 60 s), summarised in milliseconds.
 */
final class Latency {

    static final long MAX_MICROS = TimeUnit.SECONDS.toMicros(60);

    private final Recorder recorder = new Recorder(MAX_MICROS, 3);

    /** Records one latency; thread-safe and wait-free. */
    void record(long nanos) {
        recorder.recordValue(Math.min(MAX_MICROS, Math.max(0, nanos / 1000)));
    }

    /** Everything recorded since the last call. */
    Histogram take() {
        return recorder.getIntervalHistogram();
    }

    /**
     * {@code count}, {@code p50}, {@code p90}, {@code p99}, {@code p999}, {@code max} and {@code mean} in
     * milliseconds with microsecond precision; percentiles are 0 when nothing was recorded.
     */
    static Map<String, Object> summary(Histogram histogram) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("count", histogram.getTotalCount());
        out.put("p50", ms(histogram.getValueAtPercentile(50)));
        out.put("p90", ms(histogram.getValueAtPercentile(90)));
        out.put("p99", ms(histogram.getValueAtPercentile(99)));
        out.put("p999", ms(histogram.getValueAtPercentile(99.9)));
        out.put("max", ms(histogram.getMaxValue()));
        out.put("mean", histogram.getTotalCount() == 0 ? 0.0 : round(histogram.getMean() / 1000.0, 3));
        return out;
    }

    private static double ms(long micros) {
        return round(micros / 1000.0, 3);
    }

    static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
