package dev.herald.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Reads a process's CPU time, resident memory and open-file limits from Linux's /proc. Every reading
 * is -1 when /proc does not tell (no such process, not Linux, no permission).
 */
final class ProcessProbe {

    /** Clock ticks per second of /proc/PID/stat's utime and stime (USER_HZ, 100 on Linux). */
    static final long TICKS_PER_SECOND = 100;

    private final long pid;

    ProcessProbe(long pid) {
        this.pid = pid;
    }

    static ProcessProbe self() {
        return new ProcessProbe(ProcessHandle.current().pid());
    }

    long pid() {
        return pid;
    }

    /** User plus system CPU time in nanoseconds, from utime and stime (10 ms resolution). */
    long cpuNanos() {
        String stat = read("stat");
        if (stat == null) {
            return -1;
        }
        return cpuNanos(stat);
    }

    /** utime + stime of one /proc/PID/stat line, in nanoseconds. */
    static long cpuNanos(String stat) {
        // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return ticks * (1_000_000_000L / TICKS_PER_SECOND);
    }

    /**
     * Busy CPU time of the whole machine in nanoseconds: user, nice, system, irq, softirq and steal of
     * /proc/stat's {@code cpu} line, summed over its CPUs; -1 if unreadable.
     */
    static long machineCpuNanos() {
        try {
            return machineCpuNanos(Files.readAllLines(Path.of("/proc/stat")).get(0));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The busy time of a /proc/stat {@code cpu} line, in nanoseconds. */
    static long machineCpuNanos(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        if (!f[0].equals("cpu")) {
            return -1;
        }
        long ticks = 0;
        for (int i : new int[] {1, 2, 3, 6, 7, 8}) { // user nice system (idle iowait) irq softirq steal
            ticks += i < f.length ? Long.parseLong(f[i]) : 0;
        }
        return ticks * (1_000_000_000L / TICKS_PER_SECOND);
    }

    /** Resident set size in bytes (VmRSS). */
    long rssBytes() {
        return statusKib("VmRSS:");
    }

    private long statusKib(String key) {
        String status = read("status");
        if (status == null) {
            return -1;
        }
        return status.lines()
                .filter(line -> line.startsWith(key))
                .mapToLong(line -> Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024)
                .findFirst()
                .orElse(-1);
    }

    /** The soft limit on open files ("Max open files"), or -1. */
    long maxOpenFiles() {
        String limits = read("limits");
        if (limits == null) {
            return -1;
        }
        return limits.lines()
                .filter(line -> line.startsWith("Max open files"))
                .map(line -> line.substring("Max open files".length()).trim().split("\\s+")[0])
                .mapToLong(value -> value.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(value))
                .findFirst()
                .orElse(-1);
    }

    /** Files open now, or -1. */
    long openFiles() {
        try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            return fds.count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private String read(String file) {
        try {
            return Files.readString(Path.of("/proc", String.valueOf(pid), file));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
