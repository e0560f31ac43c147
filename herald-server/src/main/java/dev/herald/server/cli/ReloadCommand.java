package dev.herald.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.ServerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code herald reload}: asks the running server to read its configuration again ({@code POST
 * /admin/reload}) and prints what it applied and what needs a restart.
 *
 * <p>The server reads its own sources (the file, environment and flags it started with); this command
 * reads the configuration only to find the server and to check the file first. With API keys it tries
 * each key of {@code http.api-keys} with the admin scope in turn, so a rotation that first adds the new key and later drops
 * the old one works with the file as it is at each step.
 */
@Command(
        name = "reload",
        mixinStandardHelpOptions = true,
        description = "Make the running Herald read its configuration again and apply what can change live (API"
                + " keys, limits, timeouts, log level and format) without dropping connections."
                + " Exit 0 if applied, 2 if the configuration is invalid (nothing applied), 3 if not running,"
                + " 1 if the server does not answer or refuses the API keys.")
final class ReloadCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ServerConfig config = options.load();
        Optional<ProcessHandle> running = new PidFile(config.server().pidFile()).running();
        if (running.isEmpty()) {
            out.println("Herald is not running");
            return Control.NOT_RUNNING;
        }
        long pid = running.get().pid();
        AdminHttp http = new AdminHttp(config);
        List<String> keys = AdminHttp.adminKeys(config); // no keys: [null], the server answers loopback clients
        if (keys.isEmpty()) {
            err.println("herald: " + AdminHttp.NO_ADMIN_KEY);
            return Control.FAILED;
        }
        AdminHttp.Response response = null;
        try {
            for (String key : keys) {
                response = http.post("/admin/reload", key);
                if (response.status() != 401) {
                    break;
                }
            }
        } catch (IOException e) {
            err.println("herald: Herald is running (pid " + pid + ") but " + http.uri("/admin/reload")
                    + " does not answer: " + e.getMessage() + " (give reload the same --config and flags as start)");
            return Control.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Control.FAILED;
        }
        JsonNode body;
        try {
            body = new ObjectMapper().readTree(response.body());
        } catch (IOException e) {
            err.println("herald: unreadable answer from " + http.uri("/admin/reload") + ": HTTP " + response.status());
            return Control.FAILED;
        }
        if (response.status() == 200) {
            printReport(out, pid, body);
            return Control.OK;
        }
        String message = body.path("error").path("message").asText("HTTP " + response.status());
        if (body.path("error").path("code").asText().equals("invalid_config")) {
            err.println("herald: reload refused, nothing changed: " + message);
            return Main.CONFIG_ERROR;
        }
        err.println("herald: reload failed: " + message
                + (response.status() == 401
                        ? " (none of the admin keys in http.api-keys is accepted: to replace a key, add the new one,"
                                + " reload, then remove the old one and reload again)"
                        : ""));
        return Control.FAILED;
    }

    private static void printReport(PrintWriter out, long pid, JsonNode report) {
        List<String> applied = strings(report.path("applied"));
        List<String> restart = strings(report.path("restartRequired"));
        if (applied.isEmpty() && restart.isEmpty()) {
            out.println("Herald (pid " + pid + ") reloaded its configuration: nothing changed");
            return;
        }
        out.println("Herald (pid " + pid + ") reloaded its configuration");
        if (!applied.isEmpty()) {
            out.println("  applied            " + String.join(", ", applied));
        }
        if (!restart.isEmpty()) {
            out.println("  restart required   " + String.join(", ", restart) + " (unchanged until herald restart)");
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> items = new ArrayList<>();
        array.forEach(item -> items.add(item.asText()));
        return items;
    }
}
