package dev.herald.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.ServerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code herald status}: whether Herald runs, and its numbers, read from its {@code /stats} endpoint. */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = "Show whether Herald runs: pid, uptime, listening addresses, connections, bound uids, pushes."
                + " Exit 0 if running, 3 if not, 1 if it runs but does not answer.")
final class StatusCommand implements Callable<Integer> {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

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
        String host = config.http().host();
        if (host.equals("0.0.0.0") || host.equals("::") || host.isEmpty()) {
            host = "127.0.0.1";
        }
        URI uri = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":"
                + config.http().port() + "/stats");
        String body;
        try {
            HttpResponse<String> response = HttpClient.newBuilder()
                    .connectTimeout(TIMEOUT)
                    .build()
                    .send(
                            HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
                            HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode());
            }
            body = response.body();
        } catch (IOException e) {
            out.println("Herald is running (pid " + pid + ") but " + uri + " does not answer: " + e.getMessage()
                    + " (give status the same --config and flags as start)");
            return Control.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Control.FAILED;
        }
        if (json) {
            out.println(body.strip());
            return Control.OK;
        }
        try {
            print(out, pid, new ObjectMapper().readTree(body));
        } catch (IOException e) {
            out.println("Herald is running (pid " + pid + "); unreadable stats: " + e.getMessage());
            return Control.FAILED;
        }
        return Control.OK;
    }

    /** {@code GET /stats}, with the first API key when keys are configured. */
    private static HttpRequest request(URI uri, ServerConfig config) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET();
        if (!config.http().apiKeys().isEmpty()) {
            request.header("Authorization", "Bearer " + config.http().apiKeys().get(0));
        }
        return request.build();
    }

    private static void print(PrintWriter out, long pid, JsonNode stats) {
        out.printf(
                "Herald %s is running (pid %d), up %s, state %s%n",
                stats.path("version").asText(),
                pid,
                uptime(stats.path("uptimeSeconds").asLong()),
                stats.path("state").asText());
        JsonNode listeners = stats.path("listeners");
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
