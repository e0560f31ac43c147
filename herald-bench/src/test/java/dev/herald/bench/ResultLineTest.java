package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ResultLineTest {

    @Test
    void aResultIsOneLineOfJsonThatParsesBack() {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("scenario", "idle");
        result.put("label", "a \"quoted\"\nlabel");
        result.put("results", Map.of("lost", 0, "steps", List.of(Map.of("p99", 1.5))));
        String line = ResultLine.toJson(result);
        assertThat(line).doesNotContain("\n");
        assertThat(ResultLine.parse(line)).isEqualTo(result);
    }

    @Test
    void latencySummaryIsInMillisecondsWithMicrosecondPrecision() {
        Latency latency = new Latency();
        for (int i = 1; i <= 1000; i++) {
            latency.record(i * 1_000_000L); // 1 ms .. 1000 ms
        }
        Histogram histogram = latency.take();
        Map<String, Object> summary = Latency.summary(histogram);
        assertThat(summary).containsOnlyKeys("count", "p50", "p90", "p99", "p999", "max", "mean");
        assertThat(summary.get("count")).isEqualTo(1000L);
        assertThat((double) summary.get("p50")).isCloseTo(500.0, org.assertj.core.data.Offset.offset(0.5));
        assertThat((double) summary.get("p99")).isCloseTo(990.0, org.assertj.core.data.Offset.offset(1.0));
        assertThat((double) summary.get("max")).isCloseTo(1000.0, org.assertj.core.data.Offset.offset(1.0));
        assertThat(Latency.summary(latency.take()).get("count")).isEqualTo(0L);
    }

    @Test
    void latenciesOverTheRangeCountAsTheLimit() {
        Latency latency = new Latency();
        latency.record(Long.MAX_VALUE);
        latency.record(-5);
        Histogram histogram = latency.take();
        assertThat(histogram.getTotalCount()).isEqualTo(2);
        assertThat(histogram.getMaxValue()).isGreaterThanOrEqualTo(Latency.MAX_MICROS);
        assertThat(histogram.getMinValue()).isZero();
    }

    @Test
    void theReportMakesATableRowPerStep() {
        String line = "{\"scenario\":\"fanout\",\"label\":\"herald\",\"results\":{\"subscribers\":10,\"steps\":["
                + "{\"achievedRate\":10.0,\"deliveredPerSecond\":100.0,\"lost\":0,\"latencyMs\":{\"p50\":1.0,"
                + "\"p99\":2.0,\"p999\":3.0,\"max\":4.0},\"serverCpuUsPerDelivery\":5.5,\"clientCpuUsPerDelivery\":6.5,"
                + "\"serverCpuPercent\":1.0,\"clientCpuPercent\":2.0,\"otherCpuPercent\":0.5}]}}";
        String md = ReportCommand.markdown(List.of(ResultLine.parse(line)));
        assertThat(md)
                .contains("### Fan-out")
                .contains("| herald | 10 | 10.0 | 100.0 | 0 | 1.0 | 2.0 | 3.0 | 4.0 | 5.5 | 6.5 | 1.0 | 2.0 | 0.5 |");
    }
}
