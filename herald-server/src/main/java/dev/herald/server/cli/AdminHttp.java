package dev.herald.server.cli;

import dev.herald.protocol.backend.BackendKey;
import dev.herald.protocol.backend.BackendKeys;
import dev.herald.protocol.backend.Scope;
import dev.herald.server.ServerConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The HTTP listener of a running server, as the commands reach it: its address from the configuration
 * (a wildcard host is reached on loopback), an API key when keys are configured, and {@code https://}
 * when {@code http.tls.*} is set. On loopback any certificate is accepted (the command talks to its
 * own machine, and a renewed file may not be in force until the reload it asks for); on another
 * address the JDK's trusted CAs must vouch for it, as for any HTTPS client.
 */
final class AdminHttp {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    record Response(int status, String body) {}

    private final HttpClient client;
    private final String base;

    AdminHttp(ServerConfig config) {
        String host = config.http().host();
        if (host.equals("0.0.0.0") || host.equals("::") || host.isEmpty()) {
            host = "127.0.0.1";
        }
        boolean tls = config.tls().http().enabled();
        base = (tls ? "https://" : "http://") + (host.contains(":") ? "[" + host + "]" : host) + ":"
                + config.http().port();
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(TIMEOUT);
        if (tls && isLoopback(host)) {
            builder.sslContext(anyCertificate());
        }
        client = builder.build();
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** A context that accepts whatever certificate the server shows (and checks no host name). */
    private static SSLContext anyCertificate() {
        X509ExtendedTrustManager any = new X509ExtendedTrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {any}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS in this JDK", e);
        }
    }

    /**
     * The secrets of the keys in {@code http.api-keys} with the {@code admin} scope, in their order
     * (which {@code /stats} and {@code /admin/reload} need); a list holding only {@code null} when no keys
     * are configured (the server answers loopback clients), an empty one when none has the scope.
     */
    static List<String> adminKeys(ServerConfig config) {
        List<String> secrets = new ArrayList<>();
        BackendKeys keys = BackendKeys.of(config.http().apiKeys());
        if (keys.isEmpty()) {
            secrets.add(null);
            return secrets;
        }
        for (BackendKey key : keys.keys()) {
            if (key.allows(Scope.ADMIN)) {
                secrets.add(key.secret());
            }
        }
        return secrets;
    }

    /** Why a command cannot call the server: no key in the configuration has the admin scope. */
    static final String NO_ADMIN_KEY =
            "no key in http.api-keys has the admin scope (KEY or KEY:admin);" + " status and reload need one";

    URI uri(String path) {
        return URI.create(base + path);
    }

    /**
     * {@code GET path}, with {@code Authorization: Bearer key} unless {@code key} is {@code null}.
     *
     * @throws IOException if the server does not answer
     */
    Response get(String path, String key) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).GET(), key);
    }

    /** {@code POST path} with an empty body; see {@link #get}. */
    Response post(String path, String key) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()), key);
    }

    private Response send(HttpRequest.Builder request, String key) throws IOException, InterruptedException {
        request.timeout(TIMEOUT);
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.body());
    }
}
