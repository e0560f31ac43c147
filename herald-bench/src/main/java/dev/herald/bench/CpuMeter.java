package dev.herald.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** CPU time of the server and of the tool over a window of wall time. */
final class CpuMeter {

    /** What a window measured; server figures are -1 when the server's pid is unknown. */
    record Usage(long wallNanos, long serverCpuNanos, long clientCpuNanos) {

        /** Server CPU per item in microseconds, or -1. */
        double serverMicrosPer(long items) {
            return serverCpuNanos < 0 || items <= 0 ? -1 : Latency.round(serverCpuNanos / 1000.0 / items, 3);
        }

        /** CPU as a percentage of one core over the window (200 = two cores busy). */
        static double percent(long cpuNanos, long wallNanos) {
            return cpuNanos < 0 || wallNanos <= 0 ? -1 : Latency.round(cpuNanos * 100.0 / wallNanos, 1);
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("seconds", Latency.round(wallNanos / 1e9, 3));
            m.put("serverCpuSeconds", serverCpuNanos < 0 ? -1 : Latency.round(serverCpuNanos / 1e9, 2));
            m.put("serverCpuPercent", percent(serverCpuNanos, wallNanos));
            m.put("clientCpuSeconds", Latency.round(clientCpuNanos / 1e9, 2));
            m.put("clientCpuPercent", percent(clientCpuNanos, wallNanos));
            return m;
        }
    }

    private final BenchRun run;
    private final long wall;
    private final long server;
    private final long client;

    private CpuMeter(BenchRun run) {
        this.run = run;
        this.wall = System.nanoTime();
        this.server = run.serverCpuNanos();
        this.client = run.self.cpuNanos();
    }

    static CpuMeter start(BenchRun run) {
        return new CpuMeter(run);
    }

    Usage stop() {
        long serverNow = run.serverCpuNanos();
        return new Usage(
                System.nanoTime() - wall,
                server < 0 || serverNow < 0 ? -1 : serverNow - server,
                run.self.cpuNanos() - client);
    }
}
