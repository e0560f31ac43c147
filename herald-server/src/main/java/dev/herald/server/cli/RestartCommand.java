package dev.herald.server.cli;

import dev.herald.server.ServerConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code herald restart}: stop (if running), then start as a daemon with the given configuration. */
@Command(
        name = "restart",
        mixinStandardHelpOptions = true,
        description = "Stop Herald if it runs, then start it as a daemon (like start -d).")
final class RestartCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ServerConfig config = options.load();
        Control.stop(config, spec.commandLine().getOut(), spec.commandLine().getErr());
        if (new PidFile(config.server().pidFile()).running().isPresent()) {
            spec.commandLine().getErr().println("herald: the old server is still running; not starting another");
            return Control.FAILED;
        }
        return Control.spawnDaemon(
                config,
                options.asArguments(),
                spec.commandLine().getOut(),
                spec.commandLine().getErr());
    }
}
