package dev.herald.netty.http;

import dev.herald.netty.backend.CommandExecutor;
import dev.herald.netty.backend.CommandReply;
import dev.herald.protocol.backend.CommandParser;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What the HTTP listener serves, supplied by the server.
 *
 * @param executor runs {@code POST /api/<verb>} commands
 * @param parser decodes their bodies
 * @param stats the {@code /stats} counters
 * @param ready whether {@code /readyz} answers 200
 * @param metrics the {@code /metrics} text in the Prometheus exposition format
 * @param reload reads the configuration again and applies what can change live ({@code POST
 *     /admin/reload}); completes with the report, or an {@code invalid_config} error when nothing was
 *     applied
 * @param apiKeys the accepted API keys, read on every request (they may be reloaded)
 */
public record HttpServices(
        CommandExecutor executor,
        CommandParser parser,
        Supplier<Map<String, Object>> stats,
        BooleanSupplier ready,
        Supplier<String> metrics,
        Supplier<CompletionStage<CommandReply>> reload,
        Supplier<List<String>> apiKeys) {}
