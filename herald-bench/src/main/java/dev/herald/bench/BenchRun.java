package dev.herald.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What a scenario runs with: the tool's event loops and clients, probes of the server and of the tool
 * itself, and the sequence numbers of pushes. Checks the open-file budget before anything connects.
 */
final class BenchRun implements AutoCloseable {

    /** Files the JVM and the tool hold besides connections (jars, epoll, pipes, the control connection). */
    static final int FILE_MARGIN = 64;

    final BenchOptions options;
    final ClientTransport transport;
    final SourceAddresses sources;
    final Clients clients;
    final ProcessProbe self = ProcessProbe.self();
    final ProcessProbe server;
    final HeapProbe heap;
    final PrintWriter log;
    private long nextSeq;

    private BenchRun(BenchOptions options, boolean sharedLoop, ProcessProbe server, PrintWriter log) {
        this.options = options;
        this.server = server;
        this.log = log;
        this.heap = new HeapProbe(options.serverMetrics);
        this.sources = new SourceAddresses(options.sourceFrom, options.perSource);
        this.transport = new ClientTransport(options.ioThreads, sharedLoop);
        this.clients = new Clients(transport, options.ws, sources);
    }

    /**
     * Checks the budget of open files for {@code connections} client and {@code backends} backend
     * connections, finds the server's pid, and starts the event loops, the backends on a loop of their
     * own unless {@code sharedLoop} (see {@link ClientTransport}).
     *
     * @throws BenchException if the connections cannot fit in this process's open-file limit
     */
    static BenchRun start(BenchOptions options, long connections, int backends, boolean sharedLoop, PrintWriter log) {
        ProcessProbe self = ProcessProbe.self();
        long limit = self.maxOpenFiles();
        long open = Math.max(0, self.openFiles());
        long needed = open + connections + backends + FILE_MARGIN;
        if (limit > 0 && needed > limit) {
            throw new BenchException(String.format(
                    "%d connections need about %d open files, but this process may open %d (%d are open now): "
                            + "use fewer connections (at most about %d), or raise the limit (ulimit -n) if the "
                            + "hard limit allows",
                    connections + backends, needed, limit, open, limit - open - backends - FILE_MARGIN));
        }
        long pid = options.serverPid;
        if (pid < 0 && options.server == BenchOptions.ServerKind.herald) {
            try (TextControl control = new TextControl(options.textAddress())) {
                pid = control.serverPid();
            } catch (RuntimeException e) {
                throw new BenchException("cannot ask the server for its pid (stats): " + e.getMessage());
            }
        }
        ProcessProbe server = pid > 0 ? new ProcessProbe(pid) : null;
        if (server != null) {
            long serverLimit = server.maxOpenFiles();
            long serverOpen = server.openFiles();
            if (serverLimit > 0 && serverOpen >= 0 && serverOpen + connections + backends > serverLimit) {
                log.printf(
                        "warning: the server (pid %d) has %d files open and may open %d: %d more connections will "
                                + "not all fit%n",
                        pid, serverOpen, serverLimit, connections + backends);
            }
        }
        return new BenchRun(options, sharedLoop, server, log);
    }

    /**
     * Reserves {@code n} sequence numbers and returns the first. One thread at a time: the pacing
     * loop during a step, the scenario's thread between steps (a step's end hands them over).
     */
    long seq(long n) {
        long first = nextSeq;
        nextSeq += n;
        return first;
    }

    /** The next sequence number that {@link #seq} hands out. */
    long nextSeq() {
        return nextSeq;
    }

    TextControl control() {
        return new TextControl(options.textAddress());
    }

    Backends backends(int count) {
        return Backends.connect(transport, options.textAddress(), count);
    }

    long serverCpuNanos() {
        return server == null ? -1 : server.cpuNanos();
    }

    long serverRss() {
        return server == null ? -1 : server.rssBytes();
    }

    /**
     * The server's heap after a full collection, for a JVM server: asks {@code jcmd <pid> GC.run} (the
     * tool's own JDK's jcmd) and then reads the heap from {@code --server-metrics}. -1 if either is
     * unavailable; a non-JVM server simply fails the jcmd call.
     */
    long serverLiveHeap() {
        if (server == null || !heap.enabled()) {
            return -1;
        }
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process gc = new ProcessBuilder(jcmd.toString(), Long.toString(server.pid()), "GC.run")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!gc.waitFor(30, TimeUnit.SECONDS)) {
                gc.destroyForcibly();
                return -1;
            }
            return gc.exitValue() == 0 ? heap.heapUsedBytes() : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Facts about the server for the result line. */
    Map<String, Object> serverInfo() {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("kind", options.server.name());
        info.put("pid", server == null ? null : server.pid());
        info.put("ws", options.ws.toString());
        info.put("text", options.text);
        info.put("maxOpenFiles", server == null ? null : server.maxOpenFiles());
        return info;
    }

    /** Facts about the tool for the result line. */
    Map<String, Object> toolInfo() {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("transport", transport.name());
        info.put("ioThreads", options.ioThreads);
        info.put("backendLoop", transport.sharedLoop() ? "shared" : "own");
        info.put("maxOpenFiles", self.maxOpenFiles());
        info.put("cpus", Runtime.getRuntime().availableProcessors());
        info.put("java", Runtime.version().toString());
        return info;
    }

    void progress(String format, Object... args) {
        log.printf(format + "%n", args);
        log.flush();
    }

    @Override
    public void close() {
        clients.close();
        transport.close();
    }

    /** A run that cannot go on: the message says why and what to do. */
    static final class BenchException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BenchException(String message) {
            super(message);
        }
    }
}
