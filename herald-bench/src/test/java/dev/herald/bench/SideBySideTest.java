package dev.herald.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The report's aggregation of runs: medians with min–max, per label, scenario and rate. */
class SideBySideTest {

    private static Map<String, Object> targeted(String label, double rate, double p50, double p99, int lost) {
        return ResultLine.parse(String.format(
                java.util.Locale.ROOT,
                "{\"scenario\":\"targeted\",\"label\":\"%s\",\"params\":{\"connections\":10000},"
                        + "\"results\":{\"steps\":[{\"targetRate\":%s,\"achievedRate\":%s,\"lost\":%d,"
                        + "\"latencyMs\":{\"p50\":%s,\"p99\":%s,\"p999\":%s},\"serverCpuUsPerPush\":20.0,"
                        + "\"clientCpuUsPerPush\":30.0,\"otherCpuPercent\":1.0}]}}",
                label,
                rate,
                rate,
                lost,
                p50,
                p99,
                p99 * 2));
    }

    private static Map<String, Object> idle(String label, int n, long rssBefore, long rssAfter) {
        return ResultLine.parse(String.format(
                "{\"scenario\":\"idle\",\"label\":\"%s\",\"params\":{\"connections\":%d},\"results\":{\"opened\":%d,"
                        + "\"failed\":0,\"connectBindSeconds\":4.5,\"server\":{\"rssBefore\":%d,\"rssAfter\":%d,"
                        + "\"rssPerConnection\":1000,\"liveHeapPerConnection\":-1},\"verify\":{\"lost\":0}}}",
                label, n, n, rssBefore, rssAfter));
    }

    @Test
    void threeRunsOfAStepGiveTheirMedianAndRange() {
        List<Map<String, Object>> lines = List.of(
                targeted("herald", 2000, 0.1, 3.0, 0),
                targeted("herald", 2000, 0.3, 1.0, 5),
                targeted("herald", 2000, 0.2, 2.0, 0));
        String md = SideBySide.markdown(lines, "floor");
        assertThat(md)
                .contains("### Targeted, 2,000 pushes/s to random uids (10,000 connections)")
                .contains("| Figure | herald (3 runs) |")
                .contains("| p50 ms | 0.200 (0.100–0.300) |")
                .contains("| p99 ms | 2.00 (1.00–3.00) |")
                .contains("| Lost | 0 (0–5) |")
                .contains("| Tool CPU µs/push | 30.0 |");
    }

    @Test
    void labelsSitSideBySideWithTheCalibrationLastAndRatesInOrder() {
        List<Map<String, Object>> lines = List.of(
                targeted("floor", 20000, 0.5, 5.0, 0),
                targeted("herald", 20000, 0.4, 4.0, 0),
                targeted("node-ws", 2000, 0.1, 0.3, 0),
                targeted("herald", 2000, 0.2, 0.4, 0));
        String md = SideBySide.markdown(lines, "floor");
        assertThat(md.indexOf("2,000 pushes/s")).isLessThan(md.indexOf("20,000 pushes/s"));
        assertThat(md)
                .contains("| Figure | herald (1 run) | node-ws (1 run) |\n")
                .contains("| Figure | herald (1 run) | floor (1 run), calibration |\n")
                .contains("| p99 ms | 4.00 | 5.00 |");
    }

    @Test
    void idleRunsMakeTheMemoryTableFromZeroConnectionsUp() {
        long mib = 1048576;
        List<Map<String, Object>> lines = new ArrayList<>();
        lines.add(idle("herald", 1000, 100 * mib, 110 * mib));
        lines.add(idle("herald", 10000, 102 * mib, 130 * mib));
        lines.add(idle("node-ws", 10000, 50 * mib, 120 * mib));
        String md = SideBySide.markdown(lines, "floor");
        assertThat(md)
                .contains("### Memory: total RSS (MiB) with idle, bound connections")
                .contains("| Connections | herald | node-ws |")
                .contains("| 0 | 101 (100–102) | 50.0 |")
                .contains("| 1,000 | 110 | — |")
                .contains("| 10,000 | 130 | 120 |")
                .contains("| RSS growth B/connection | 1,000 |")
                .doesNotContain("Live heap"); // unknown everywhere: the row is left out
    }

    @Test
    void fanOutTablesAreSeparateByBroadcastMethod() {
        String step = "{\"targetRate\":5.0,\"deliveredPerSecond\":50000.0,\"lost\":0,\"latencyMs\":{\"p50\":50.0,"
                + "\"p99\":120.0,\"p999\":130.0},\"serverCpuUsPerDelivery\":9.5,\"clientCpuUsPerDelivery\":9.0}";
        List<Map<String, Object>> lines = List.of(
                ResultLine.parse("{\"scenario\":\"fanout\",\"label\":\"herald\",\"params\":{\"connections\":10000},"
                        + "\"results\":{\"broadcast\":\"herald\",\"steps\":[" + step + "]}}"),
                ResultLine.parse("{\"scenario\":\"fanout\",\"label\":\"herald\",\"params\":{\"connections\":10000},"
                        + "\"results\":{\"broadcast\":\"per-uid\",\"steps\":[" + step + "]}}"));
        String md = SideBySide.markdown(lines, "floor");
        assertThat(md)
                .contains("### Fan-out, 5 broadcasts/s to 10,000 subscribers, by Herald's broadcast command")
                .contains("### Fan-out, 5 broadcasts/s to 10,000 subscribers, by one push line per subscriber")
                .contains("| Tool CPU µs/delivery | 9.00 |");
    }

    static Stream<Arguments> numbers() {
        return Stream.of(
                Arguments.of(Named.of("below 1 ms: microseconds", 0.0834), "0.083"),
                Arguments.of(Named.of("a few ms", 2.7171), "2.72"),
                Arguments.of(Named.of("tens", 41.53), "41.5"),
                Arguments.of(Named.of("hundreds and up: whole, grouped", 1234.6), "1,235"),
                Arguments.of(Named.of("zero", 0.0), "0"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("numbers")
    void figuresKeepAboutThreeSignificantDigits(double value, String shown) {
        assertThat(SideBySide.format(value)).isEqualTo(shown);
    }

    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(SideBySide.median(List.of(1.0, 2.0, 4.0, 10.0))).isEqualTo(3.0);
        assertThat(SideBySide.cell(List.of(), false)).isEqualTo("—");
        assertThat(SideBySide.cell(List.of(0.0, 0.0, 3.0), true)).isEqualTo("0 (0–3)");
        assertThat(SideBySide.count(19999.5)).isEqualTo("19,999.5");
    }
}
