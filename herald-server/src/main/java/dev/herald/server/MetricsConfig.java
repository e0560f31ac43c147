package dev.herald.server;

/**
 * Settings of {@code /metrics} (config keys {@code metrics.*}).
 *
 * @param latencySampleEvery the push-to-write latency is measured for one in this many writes to
 *     clients, drawn at random; 1 measures every write, 0 none
 */
public record MetricsConfig(int latencySampleEvery) {

    public static final int DEFAULT_LATENCY_SAMPLE_EVERY = 8;

    public MetricsConfig {
        if (latencySampleEvery < 0 || latencySampleEvery > 1_000_000) {
            throw new IllegalArgumentException(
                    "latency-sample-every must be between 0 and 1000000, was " + latencySampleEvery);
        }
    }
}
