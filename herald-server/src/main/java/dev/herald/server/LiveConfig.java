package dev.herald.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The configuration in force: the one holder of the running {@link ServerConfig}. Components read their
 * part through a {@linkplain #view supplier}; {@link #reload} reads the sources again and replaces the
 * whole configuration at once, keeping the startup value of every key that cannot change while the
 * server runs. So a component never sees a value that is not in force, and a reload needs no code in
 * the components beyond reading their supplier when they use a setting.
 *
 * <p>Thread-safe: reads are a volatile read; reloads are serialized.
 */
final class LiveConfig {

    /**
     * The keys a reload applies. Every other key (listener addresses, io threads, compression, the pid
     * file, the log file, new keys until someone makes them live) keeps its startup value until a
     * restart. The {@code *.tls.*} keys are live while TLS stays on for their listener: a reload always
     * reads the certificate files again (new connections get the new certificate, open ones keep
     * theirs), but turning TLS on or off needs a restart.
     */
    static final Set<String> LIVE_KEYS = Set.of(
            "websocket.max-message-bytes",
            "websocket.max-uid-bytes",
            "websocket.ping-interval",
            "websocket.pong-timeout",
            "websocket.bind-timeout",
            "websocket.max-outbound-bytes",
            "websocket.allowed-origins",
            "websocket.max-connections",
            "websocket.max-connections-per-ip",
            "websocket.max-connections-per-uid",
            "websocket.max-messages-per-second",
            "websocket.max-handshakes-per-second",
            "websocket.max-handshakes-in-flight",
            "auth.hmac-secret",
            "auth.public-key",
            "auth.jwks-file",
            "auth.jwks-url",
            "auth.audience",
            "auth.issuer",
            "auth.clock-skew",
            "auth.allow-bare-uid",
            "auth.max-token-bytes",
            "text.max-line-bytes",
            "text.read-timeout",
            "websocket.tls.cert",
            "websocket.tls.key",
            "websocket.tls.key-password",
            "http.tls.cert",
            "http.tls.key",
            "http.tls.key-password",
            "text.tls.cert",
            "text.tls.key",
            "text.tls.key-password",
            "text.keys",
            "text.max-connections",
            "text.max-pushes-per-second",
            "http.read-timeout",
            "http.api-keys",
            "http.max-body-bytes",
            "http.max-pushes-per-second",
            "api.max-group-bytes",
            "api.max-groups-per-uid",
            "api.max-batch",
            "api.max-page",
            "server.shutdown-timeout",
            "log.level",
            "log.format");

    /** The configuration in force and the values it was built from. */
    private record InForce(ServerConfig config, Map<String, String> values) {}

    /** A part of the configuration and the configuration it was derived from. */
    private record Derived<T>(ServerConfig from, T value) {}

    /** What a reload did. */
    record Reload(ServerConfig before, ServerConfig after, List<String> applied, List<String> restartRequired) {

        /** The JSON report of {@code POST /admin/reload}. */
        Map<String, Object> report() {
            List<String> changed = new ArrayList<>(applied);
            changed.addAll(restartRequired);
            changed.sort(null);
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("changed", changed);
            report.put("applied", applied);
            report.put("restartRequired", restartRequired);
            return report;
        }
    }

    private final ConfigSource source;
    private final Map<String, String> started;
    private volatile InForce inForce;

    private LiveConfig(ConfigSource source, Map<String, String> values, ServerConfig config) {
        this.source = source;
        this.started = values;
        this.inForce = new InForce(config, values);
    }

    /**
     * Reads the sources for the first time.
     *
     * @throws ConfigException naming the key or file at fault
     */
    static LiveConfig load(ConfigSource source) {
        Map<String, String> values = source.values();
        return new LiveConfig(source, values, ConfigLoader.build(values, source.home()));
    }

    /** A configuration that no reload changes: the server was given a {@link ServerConfig}, not its sources. */
    static LiveConfig fixed(ServerConfig config) {
        return new LiveConfig(null, null, config);
    }

    /** The configuration in force. */
    ServerConfig get() {
        return inForce.config();
    }

    /**
     * A supplier of one part of the configuration in force, derived again only after a reload (so that
     * a component may call it on every use).
     */
    <T> Supplier<T> view(Function<ServerConfig, T> part) {
        return new Supplier<>() {
            private volatile Derived<T> last;

            @Override
            public T get() {
                ServerConfig config = inForce.config();
                Derived<T> derived = last;
                if (derived == null || derived.from() != config) {
                    derived = new Derived<>(config, part.apply(config));
                    last = derived;
                }
                return derived.value();
            }
        };
    }

    /**
     * Reads the sources again and puts the live keys in force; keys that need a restart keep their
     * startup value. All or nothing: an invalid configuration changes nothing.
     *
     * @throws ConfigException if the sources cannot be read or any value is invalid (the message names
     *     the key or file), or if the server was started without sources
     */
    synchronized Reload reload() {
        if (source == null) {
            throw new ConfigException("this server was started from a fixed configuration: there is nothing to read");
        }
        Map<String, String> loaded = source.values();
        ConfigLoader.build(loaded, source.home()); // validates every key, live or not
        InForce before = inForce;
        Map<String, String> values = new LinkedHashMap<>(loaded);
        List<String> applied = new ArrayList<>();
        List<String> restartRequired = new ArrayList<>();
        for (ConfigKey key : ConfigKey.ALL) {
            String name = key.name();
            if (LIVE_KEYS.contains(name) && !switchesTls(name, loaded)) {
                if (!same(loaded.get(name), before.values().get(name))) {
                    applied.add(name);
                }
            } else {
                if (!same(loaded.get(name), started.get(name))) {
                    restartRequired.add(name);
                }
                values.put(name, started.get(name));
            }
        }
        ServerConfig config = ConfigLoader.build(values, source.home());
        inForce = new InForce(config, values);
        return new Reload(before.config(), config, applied, restartRequired);
    }

    /** Whether {@code name} is a TLS key of a listener whose TLS the loaded values turn on or off. */
    private boolean switchesTls(String name, Map<String, String> loaded) {
        int tls = name.indexOf(".tls.");
        if (tls < 0) {
            return false;
        }
        String cert = name.substring(0, tls) + ".tls.cert";
        return isBlank(started.get(cert)) != isBlank(loaded.get(cert));
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    private static boolean same(String a, String b) {
        return Objects.equals(a == null ? null : a.strip(), b == null ? null : b.strip());
    }
}
