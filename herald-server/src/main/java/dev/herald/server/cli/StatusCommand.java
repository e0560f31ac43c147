package dev.herald.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.ServerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code herald status}: whether Herald runs, and its numbers and readiness, read from its {@code /stats}
 * (with the first API key that has the admin scope, if keys are set) and {@code /readyz} endpoints.
 */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = "Show whether Herald runs: pid, uptime, readiness, listening addresses, connections, bound uids,"
                + " pushes."
                + " Exit 0 if running, 3 if not, 1 if it runs but does not answer.")
final class StatusCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Option(names = "--json", description = "Print the server's /stats JSON as it is.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ServerConfig config = options.load();
        Optional<ProcessHandle> running = new PidFile(config.server().pidFile()).running();
        if (running.isEmpty()) {
            out.println("Herald is not running");
            return Control.NOT_RUNNING;
        }
        long pid = running.get().pid();
        AdminHttp http = new AdminHttp(config);
        List<String> keys = AdminHttp.adminKeys(config);
        if (keys.isEmpty()) {
            out.println("Herald is running (pid " + pid + ") but " + AdminHttp.NO_ADMIN_KEY);
            return Control.FAILED;
        }
        AdminHttp.Response stats;
        AdminHttp.Response ready;
        try {
            stats = http.get("/stats", keys.get(0));
            if (stats.status() != 200) {
                throw new IOException("HTTP " + stats.status());
            }
            ready = http.get("/readyz", null);
        } catch (IOException e) {
            out.println("Herald is running (pid " + pid + ") but " + http.uri("/stats") + " does not answer: "
                    + e.getMessage() + " (give status the same --config and flags as start)");
            return Control.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Control.FAILED;
        }
        if (json) {
            out.println(stats.body().strip());
            return Control.OK;
        }
        try {
            print(out, pid, new ObjectMapper().readTree(stats.body()), ready.status() == 200);
        } catch (IOException e) {
            out.println("Herald is running (pid " + pid + "); unreadable stats: " + e.getMessage());
            return Control.FAILED;
        }
        return Control.OK;
    }

    private static void print(PrintWriter out, long pid, JsonNode stats, boolean ready) {
        out.printf(
                "Herald %s is running (pid %d), up %s, state %s%n",
                stats.path("version").asText(),
                pid,
                uptime(stats.path("uptimeSeconds").asLong()),
                stats.path("state").asText());
        JsonNode listeners = stats.path("listeners");
        out.printf("  health       alive, %s%n", ready ? "ready (/readyz 200)" : "not ready (/readyz 503: draining)");
        out.printf("  websocket    %s%n", listeners.path("websocket").asText());
        out.printf("  text         %s%n", listeners.path("text").asText());
        out.printf("  http         %s%n", listeners.path("http").asText());
        out.printf(
                "  connections  %d open, %d uids bound, %d backend connections%n",
                stats.path("connections").asLong(),
                stats.path("uids").asLong(),
                stats.path("backendConnections").asLong());
        out.printf(
                "  messages     %d pushed, %d delivered%n",
                stats.path("pushes").asLong(), stats.path("deliveries").asLong());
        out.printf(
                "  engine       %s, transport %s%n",
                stats.path("engine").asText(), stats.path("transport").asText());
    }

    static String uptime(long seconds) {
        long days = seconds / 86400;
        long hours = seconds % 86400 / 3600;
        long minutes = seconds % 3600 / 60;
        long secs = seconds % 60;
        if (days > 0) {
            return days + "d " + hours + "h " + minutes + "m";
        }
        if (hours > 0) {
            return hours + "h " + minutes + "m " + secs + "s";
        }
        return minutes > 0 ? minutes + "m " + secs + "s" : secs + "s";
    }
}
