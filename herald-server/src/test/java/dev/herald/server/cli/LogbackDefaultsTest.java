package dev.herald.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;

class LogbackDefaultsTest {

    @Test
    void withoutAnXmlFileItLogsInfoToTheConsoleAndNettyAtWarn() {
        LoggerContext context = new LoggerContext();

        assertThat(LogbackDefaults.configure(context, false)).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);

        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.INFO);
        assertThat(root.getAppender("console")).isInstanceOf(ConsoleAppender.class);
        assertThat(root.getAppender("console").isStarted()).isTrue();
        assertThat(context.getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
        context.stop();
    }

    @Test
    void anXmlFileOnTheClassPathWins() {
        LoggerContext context = new LoggerContext();

        assertThat(LogbackDefaults.configure(context, true)).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
        assertThat(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
                        .iteratorForAppenders()
                        .hasNext())
                .isFalse();
    }
}
