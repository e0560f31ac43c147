package dev.herald.server.cli;

import dev.herald.server.ConfigSource;
import dev.herald.server.ServerConfig;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code herald start [-d]}: run in the foreground, or as a daemon that is listening when this returns. */
@Command(
        name = "start",
        mixinStandardHelpOptions = true,
        description = "Start Herald in the foreground (Ctrl-C drains and stops), or with -d as a daemon.")
final class StartCommand implements Callable<Integer> {

    static final String DAEMON_CHILD = "--daemon-child";

    @Mixin
    ConfigOptions options;

    @Option(
            names = {"-d", "--daemon"},
            description = "Run in the background; return once every port listens (exit 1 with the reason if not).")
    boolean daemon;

    @Option(names = DAEMON_CHILD, hidden = true)
    boolean daemonChild;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ConfigSource source = options.source();
        ServerConfig config = source.load();
        Optional<ProcessHandle> running = new PidFile(config.server().pidFile()).running();
        if (running.isPresent()) {
            spec.commandLine()
                    .getErr()
                    .println("herald: already running (pid " + running.get().pid() + ", pid file "
                            + config.server().pidFile() + ")");
            return Control.FAILED;
        }
        if (daemon) {
            return Control.spawnDaemon(
                    config,
                    options.asArguments(),
                    spec.commandLine().getOut(),
                    spec.commandLine().getErr());
        }
        return Control.runInThisProcess(
                config, source, daemonChild, spec.commandLine().getErr());
    }
}
