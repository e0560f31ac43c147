package dev.herald.server.cli;

import dev.herald.server.ConfigException;
import dev.herald.server.HeraldServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code herald}: the command line. Exit codes: 0 success, 1 failure (cannot listen, does not stop,
 * does not answer), 2 bad usage or configuration, 3 {@code status} or {@code reload} of a server that is
 * not running.
 */
@Command(
        name = "herald",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Herald: a real-time push server (WebSocket clients; backends push over the Text port).",
        subcommands = {
            StartCommand.class,
            StopCommand.class,
            RestartCommand.class,
            StatusCommand.class,
            ReloadCommand.class,
            TokenCommand.class
        })
public final class Main implements Runnable {

    /** Exit code of an invalid configuration. */
    static final int CONFIG_ERROR = 2;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        CommandLine cli = commandLine();
        int code = cli.execute(args);
        cli.getOut().flush();
        cli.getErr().flush();
        if (code != Control.OK || !isStart(args)) {
            System.exit(code);
        }
    }

    private static boolean isStart(String[] args) {
        return args.length > 0 && args[0].equals("start");
    }

    /** The command tree, with a {@code --KEY=VALUE} option for every config key on each command. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        for (CommandLine sub : cli.getSubcommands().values()) {
            ConfigOptions.addKeyOptions(sub.getCommandSpec());
        }
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ConfigException) {
                commandLine.getErr().println("herald: invalid configuration: " + e.getMessage());
                return CONFIG_ERROR;
            }
            throw e;
        });
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"Herald " + HeraldServer.VERSION};
        }
    }
}
