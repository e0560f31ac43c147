package dev.herald.server.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback's configuration until {@link Logging} takes over (and when Herald is embedded): INFO to the
 * console, Netty at WARN. Found by Logback through {@code META-INF/services}, so that no XML file is
 * parsed: Logback's XML configurator loads some 600 classes that the server would carry for nothing.
 * A {@code logback-test.xml} or {@code logback.xml} on the class path still wins.
 */
public final class LogbackDefaults extends ContextAwareBase implements Configurator {

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        ClassLoader loader = LogbackDefaults.class.getClassLoader();
        boolean xml = loader.getResource("logback-test.xml") != null || loader.getResource("logback.xml") != null;
        return configure(context, xml);
    }

    /** Defers to Logback's XML configurator when a file is there; else sets the defaults. */
    static ExecutionStatus configure(LoggerContext context, boolean xmlOnClassPath) {
        if (xmlOnClassPath) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(Logging.PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("console");
        console.setEncoder(encoder);
        console.start();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.INFO);
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(console);
        context.getLogger("io.netty").setLevel(Level.WARN);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
