package dev.herald.bench;

import io.netty.util.ResourceLeakDetector;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code herald-bench}: a load generator for Herald and any server speaking the seed protocol. Exit
 * codes: 0 done (a result was printed, whatever it measured), 1 the run could not go on (no server,
 * too few open files), 2 bad usage.
 */
@Command(
        name = "herald-bench",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Load generator for Herald and any server that speaks the seed protocol "
                + "(WebSocket bind by first frame, Text-port JSON lines answered ok/fail).",
        subcommands = {
            IdleCommand.class,
            FanoutCommand.class,
            TargetedCommand.class,
            ChurnCommand.class,
            StormCommand.class,
            ResumeCommand.class,
            CalibrateCommand.class,
            ReportCommand.class
        })
public final class Main implements Runnable {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        // The tool's buffers are released by its own code; sampling them for leaks (Netty's default) costs a
        // stack trace per sampled buffer on the event loops, inside the latencies.
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        CommandLine cli = commandLine();
        int code = cli.execute(args);
        cli.getOut().flush();
        cli.getErr().flush();
        System.exit(code);
    }

    /** The command tree; a run that cannot go on prints {@code herald-bench: why} and exits with 1. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.registerConverter(java.time.Duration.class, new DurationConverter());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine
                    .getErr()
                    .println("herald-bench: " + (e instanceof BenchRun.BenchException ? e.getMessage() : e.toString()));
            commandLine.getErr().flush();
            return 1;
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
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"herald-bench " + (version == null ? "dev" : version)};
        }
    }
}
