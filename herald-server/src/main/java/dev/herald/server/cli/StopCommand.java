package dev.herald.server.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code herald stop}: drain and stop the running server (SIGTERM; SIGKILL after the shutdown timeout). */
@Command(
        name = "stop",
        mixinStandardHelpOptions = true,
        description = "Stop the running Herald: stop accepting, answer in-flight backend lines, close clients with"
                + " 1001, exit. Forced after server.shutdown-timeout + 5s.")
final class StopCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return Control.stop(
                options.load(), spec.commandLine().getOut(), spec.commandLine().getErr());
    }
}
