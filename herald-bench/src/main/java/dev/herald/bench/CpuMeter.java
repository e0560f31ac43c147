package dev.herald.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time of the server, of the tool, and of the rest of the machine over a window of wall time, and
 * the tool's own collections and JIT compilation in it: a figure taken while other processes were busy,
 * or while the tool collected garbage or compiled, says so.
 */
final class CpuMeter {

    /**
     * What a window measured; server figures are -1 when the server's pid is unknown, machine figures
     * when /proc/stat cannot be read.
     */
    record Usage(
            long wallNanos,
            long serverCpuNanos,
            long clientCpuNanos,
            long machineCpuNanos,
            long toolGcCount,
            long toolGcMillis,
            long toolJitMillis) {

        /** Server CPU per item in microseconds, or -1. */
        double serverMicrosPer(long items) {
            return serverCpuNanos < 0 || items <= 0 ? -1 : Latency.round(serverCpuNanos / 1000.0 / items, 3);
        }

        /** The tool's own CPU per item in microseconds (every thread of its process), or -1. */
        double clientMicrosPer(long items) {
            return clientCpuNanos < 0 || items <= 0 ? -1 : Latency.round(clientCpuNanos / 1000.0 / items, 3);
        }

        /**
         * CPU of everything else on the machine: its busy time less the server's and the tool's (the
         * kernel's own threads included), at least 0; -1 when unknown.
         */
        long otherCpuNanos() {
            if (machineCpuNanos < 0 || clientCpuNanos < 0) {
                return -1;
            }
            return Math.max(0, machineCpuNanos - clientCpuNanos - Math.max(0, serverCpuNanos));
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
            m.put("otherCpuPercent", percent(otherCpuNanos(), wallNanos));
            m.put("toolGcCount", toolGcCount);
            m.put("toolGcMs", toolGcMillis);
            m.put("toolJitMs", toolJitMillis);
            return m;
        }
    }

    private final BenchRun run;
    private final long wall;
    private final long server;
    private final long client;
    private final long machine;
    private final long gcCount;
    private final long gcMillis;
    private final long jitMillis;

    private CpuMeter(BenchRun run) {
        this.run = run;
        this.gcCount = gcCount();
        this.gcMillis = gcMillis();
        this.jitMillis = jitMillis();
        this.wall = System.nanoTime();
        this.server = run.serverCpuNanos();
        this.client = run.self.cpuNanos();
        this.machine = ProcessProbe.machineCpuNanos();
    }

    static CpuMeter start(BenchRun run) {
        return new CpuMeter(run);
    }

    Usage stop() {
        long serverNow = run.serverCpuNanos();
        long machineNow = ProcessProbe.machineCpuNanos();
        return new Usage(
                System.nanoTime() - wall,
                server < 0 || serverNow < 0 ? -1 : serverNow - server,
                run.self.cpuNanos() - client,
                machine < 0 || machineNow < 0 ? -1 : machineNow - machine,
                gcCount() - gcCount,
                gcMillis() - gcMillis,
                jitMillis < 0 ? -1 : jitMillis() - jitMillis);
    }

    /** Collections of this JVM so far. */
    static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }

    /** Milliseconds this JVM spent collecting so far (for the parallel collector, its pauses). */
    static long gcMillis() {
        long ms = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ms += Math.max(0, gc.getCollectionTime());
        }
        return ms;
    }

    /** Milliseconds this JVM's JIT compilers spent so far, or -1. */
    static long jitMillis() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
    }
}
