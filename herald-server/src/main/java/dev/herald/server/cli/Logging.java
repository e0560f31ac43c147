package dev.herald.server.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import dev.herald.server.LogConfig;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/** Configures Logback from {@link LogConfig}: one appender, to the console or to a file. */
final class Logging {

    private static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{36} - %msg%n";

    private Logging() {}

    /** Logs to {@code file}, or to the console when it is {@code null}. */
    static void configure(LogConfig config, Path file) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender;
        if (file == null) {
            appender = new ConsoleAppender<>();
        } else {
            FileAppender<ILoggingEvent> fileAppender = new FileAppender<>();
            fileAppender.setFile(file.toString());
            fileAppender.setAppend(true);
            appender = fileAppender;
        }
        appender.setContext(context);
        appender.setName(file == null ? "console" : "file");
        appender.setEncoder(encoder);
        appender.start();
        Level level = Level.toLevel(config.level(), Level.INFO);
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(level);
        root.addAppender(appender);
        // Netty's DEBUG output is about Netty's internals: at debug, Netty logs at info; at trace, at debug.
        Level netty = level.isGreaterOrEqual(Level.INFO) ? level : level == Level.TRACE ? Level.DEBUG : Level.INFO;
        context.getLogger("io.netty").setLevel(netty);
    }

    /** Flushes and stops logging; call last. */
    static void stop() {
        ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
    }
}
