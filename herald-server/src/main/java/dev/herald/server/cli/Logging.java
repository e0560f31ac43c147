package dev.herald.server.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import dev.herald.server.LogConfig;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Configures Logback from {@link LogConfig}: one appender, to the console or to a file, writing text
 * lines or JSON objects (Logback's {@link JsonEncoder}, one object per line).
 */
final class Logging {

    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{36} - %msg%n";
    private static final String APPENDER = "herald";

    private Logging() {}

    /** Logs to {@code file}, or to the console when it is {@code null}. */
    static void configure(LogConfig config, Path file) {
        LoggerContext context = context();
        context.reset();
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
        appender.setName(APPENDER);
        appender.setEncoder(encoder(config.format(), context));
        appender.start();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(appender);
        setLevels(config, context);
    }

    /**
     * Applies a reloaded level and format to the running appender, without closing it: the format
     * changes between two events, nothing is lost. The destination ({@code log.file}) stays.
     */
    static void reconfigure(LogConfig config) {
        LoggerContext context = context();
        if (context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender(APPENDER)
                        instanceof OutputStreamAppender<ILoggingEvent> appender
                && !config.format().equals(formatOf(appender.getEncoder()))) {
            appender.setEncoder(encoder(config.format(), context));
        }
        setLevels(config, context);
    }

    /** Flushes and stops logging; call last. */
    static void stop() {
        context().stop();
    }

    private static LoggerContext context() {
        return (LoggerContext) LoggerFactory.getILoggerFactory();
    }

    private static void setLevels(LogConfig config, LoggerContext context) {
        Level level = Level.toLevel(config.level(), Level.INFO);
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(level);
        // Netty's DEBUG output is about Netty's internals: at debug, Netty logs at info; at trace, at debug.
        Level netty = level.isGreaterOrEqual(Level.INFO) ? level : level == Level.TRACE ? Level.DEBUG : Level.INFO;
        context.getLogger("io.netty").setLevel(netty);
    }

    private static Encoder<ILoggingEvent> encoder(String format, LoggerContext context) {
        Encoder<ILoggingEvent> encoder;
        if (format.equals("json")) {
            JsonEncoder json = new JsonEncoder();
            json.setWithSequenceNumber(false);
            json.setWithNanoseconds(false);
            json.setWithContext(false);
            json.setWithArguments(false);
            json.setWithFormattedMessage(true);
            encoder = json;
        } else {
            PatternLayoutEncoder text = new PatternLayoutEncoder();
            text.setPattern(PATTERN);
            encoder = text;
        }
        encoder.setContext(context);
        encoder.start();
        return encoder;
    }

    private static String formatOf(Encoder<ILoggingEvent> encoder) {
        return encoder instanceof JsonEncoder ? "json" : "text";
    }
}
