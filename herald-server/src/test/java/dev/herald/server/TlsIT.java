package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testkit.TestCertificate;
import dev.herald.testkit.TextPortClient;
import dev.herald.testkit.WebSocketRecorder;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wss://} and {@code https://} from PEM files against a real server: JDK clients that trust a
 * test certificate made by {@code keytool}, TLS 1.1 refused, bytes that are not TLS closed quietly while
 * a connected client keeps receiving, an unfinished handshake bounded by {@code bind-timeout}, and a
 * reload that gives new connections a new certificate while open ones stay.
 */
class TlsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private TestCertificate certificate;
    private HeraldServer server;
    private HttpClient client;

    @BeforeEach
    void certificate() {
        certificate = TestCertificate.generate(dir.resolve("a"));
        client = HttpClient.newBuilder()
                .sslContext(certificate.clientContext())
                .connectTimeout(TIMEOUT)
                .build();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private HeraldServer startTls(String... more) {
        List<String> flags = new java.util.ArrayList<>(List.of(
                "websocket.tls.cert", certificate.cert().toString(),
                "websocket.tls.key", certificate.key().toString(),
                "http.tls.cert", certificate.cert().toString(),
                "http.tls.key", certificate.key().toString()));
        flags.addAll(List.of(more));
        server = TestServer.start(flags.toArray(String[]::new));
        return server;
    }

    private URI wss() {
        return URI.create("wss://127.0.0.1:" + server.websocketAddress().getPort() + "/");
    }

    private URI https(String path) {
        return URI.create("https://127.0.0.1:" + server.httpAddress().getPort() + path);
    }

    private JsonNode stats() throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(https("/stats")).timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private void push(String uid, String data) {
        try (TextPortClient backend = TextPortClient.connect(server.textAddress())) {
            assertThat(backend.request("push {\"uid\":\"" + uid + "\",\"data\":\"" + data + "\"}"))
                    .contains("\"connections\":1");
        }
    }

    @Test
    void wssClientReceivesPushesAndTheHttpApiAnswersOverHttps() throws Exception {
        startTls();
        try (WebSocketRecorder alice = WebSocketRecorder.bind(client, wss(), "alice")) {
            await().until(() -> server.hub().isOnline("alice"));
            push("alice", "over tls");
            assertThat(alice.awaitMessage()).isEqualTo("over tls");
        }
        HttpResponse<String> push = client.send(
                HttpRequest.newBuilder(https("/healthz")).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(push.statusCode()).isEqualTo(200);
        assertThat(push.version()).isEqualTo(HttpClient.Version.HTTP_1_1); // ALPN: http/1.1 only
        JsonNode stats = stats();
        assertThat(stats.path("tls").path("provider").asText()).isIn("openssl", "jdk");
        assertThat(stats.path("tls").path("websocket").path("serial").asText())
                .isEqualTo(certificate.serial().toString(16));
        assertThat(stats.path("tlsHandshakeFailures").asLong()).isZero();
    }

    @Test
    void tls13AndTls12AreOfferedAndTls11IsRefused() throws Exception {
        startTls();
        assertThat(handshake(server.websocketAddress(), "TLSv1.3")).isEqualTo("TLSv1.3");
        assertThat(handshake(server.websocketAddress(), "TLSv1.2")).isEqualTo("TLSv1.2");
        // The JDK client no longer offers TLS 1.1; BoringSSL (through Netty) still does.
        SslContext tls11 = SslContextBuilder.forClient()
                .sslProvider(SslProvider.OPENSSL)
                .protocols("TLSv1.1")
                .ciphers(List.of("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"))
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .build();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            SslHandler[] handler = new SslHandler[1];
            Channel channel = new Bootstrap()
                    .group(group)
                    .channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            handler[0] = tls11.newHandler(ByteBufAllocator.DEFAULT);
                            ch.pipeline().addLast(handler[0]).addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                    ctx.close(); // the refusal this test expects
                                }
                            });
                        }
                    })
                    .connect(server.httpAddress())
                    .syncUninterruptibly()
                    .channel();
            assertThat(handler[0].handshakeFuture().await(TIMEOUT.toMillis())).isTrue();
            assertThat(handler[0].handshakeFuture().isSuccess()).isFalse();
            channel.closeFuture().await(TIMEOUT.toMillis());
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        await().until(() -> stats().path("tlsHandshakeFailures").asLong() >= 1);
    }

    @Test
    void bytesThatAreNotTlsAreClosedWhileAConnectedClientKeepsReceiving() throws Exception {
        startTls();
        try (WebSocketRecorder alice = WebSocketRecorder.bind(client, wss(), "alice")) {
            await().until(() -> server.hub().isOnline("alice"));
            byte[] random = new byte[512];
            new SecureRandom().nextBytes(random);
            List<byte[]> garbage = List.of(
                    "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII),
                    random,
                    new byte[] {0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5}); // a handshake record, not a ClientHello
            for (byte[] bytes : garbage) {
                assertClosedAfter(server.websocketAddress(), bytes);
                assertClosedAfter(server.httpAddress(), bytes);
            }
            push("alice", "still here");
            assertThat(alice.awaitMessage()).isEqualTo("still here");
            assertThat(stats().path("tlsHandshakeFailures").asLong()).isGreaterThanOrEqualTo(6);
            HttpResponse<String> metrics = client.send(
                    HttpRequest.newBuilder(https("/metrics")).timeout(TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(Scrape.parse(metrics.body()).samples().get("herald_tls_handshake_failures_total"))
                    .isGreaterThanOrEqualTo(6.0);
        }
    }

    @Test
    void aClientThatNeverFinishesTheHandshakeIsClosedAfterTheBindTimeout() throws Exception {
        startTls("websocket.bind-timeout", "1s", "http.read-timeout", "1s");
        for (InetSocketAddress address : List.of(server.websocketAddress(), server.httpAddress())) {
            try (Socket socket = new Socket()) {
                socket.connect(address, 5000);
                socket.setSoTimeout(8000);
                long start = System.nanoTime();
                // Half a ClientHello record header, then silence.
                socket.getOutputStream().write(new byte[] {0x16, 0x03});
                socket.getOutputStream().flush();
                assertThat(readToEnd(socket.getInputStream())).isTrue();
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
            }
        }
    }

    @Test
    void reloadGivesNewConnectionsTheNewCertificateAndKeepsOpenOnes() throws Exception {
        Path live = dir.resolve("live");
        Files.createDirectories(live);
        Files.copy(certificate.cert(), live.resolve("cert.pem"));
        Files.copy(certificate.key(), live.resolve("key.pem"));
        server = TestServer.start(
                "websocket.tls.cert", live.resolve("cert.pem").toString(),
                "websocket.tls.key", live.resolve("key.pem").toString());
        assertThat(serialOf(server.websocketAddress())).isEqualTo(certificate.serial());
        try (WebSocketRecorder alice = WebSocketRecorder.bind(client, wss(), "alice")) {
            await().until(() -> server.hub().isOnline("alice"));
            TestCertificate next = TestCertificate.generate(dir.resolve("b"), "RSA");
            Files.copy(next.cert(), live.resolve("cert.pem"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(next.key(), live.resolve("key.pem"), StandardCopyOption.REPLACE_EXISTING);
            HttpCalls.Response reload = HttpCalls.post(server, null, "/admin/reload");
            assertThat(reload.status()).as(reload.body()).isEqualTo(200);
            assertThat(serialOf(server.websocketAddress())).isEqualTo(next.serial());
            push("alice", "after the reload");
            assertThat(alice.awaitMessage()).isEqualTo("after the reload");

            // A bad certificate is refused like any invalid configuration: the one in force stays.
            Files.writeString(live.resolve("cert.pem"), "not a certificate\n");
            HttpCalls.Response refused = HttpCalls.post(server, null, "/admin/reload");
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.body()).contains("websocket.tls.cert");
            assertThat(serialOf(server.websocketAddress())).isEqualTo(next.serial());
            push("alice", "after the refusal");
            assertThat(alice.awaitMessage()).isEqualTo("after the refusal");
        }
    }

    @Test
    void aBadCertificateStopsTheStartNamingTheKey() throws IOException {
        Files.writeString(dir.resolve("bad.pem"), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> TestServer.start(
                        "websocket.tls.cert", dir.resolve("bad.pem").toString(),
                        "websocket.tls.key", certificate.key().toString()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("websocket.tls.cert: ");
        TestCertificate other = TestCertificate.generate(dir.resolve("other"));
        assertThatThrownBy(() -> TestServer.start(
                        "http.tls.cert", certificate.cert().toString(),
                        "http.tls.key", other.key().toString()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.tls.key: ")
                .hasMessageContaining("is not the private key of the certificate");
    }

    /** The protocol a JDK client that offers only {@code protocol} agrees on. */
    private String handshake(InetSocketAddress address, String protocol) throws IOException {
        try (SSLSocket socket =
                (SSLSocket) certificate.clientContext().getSocketFactory().createSocket()) {
            socket.connect(address, 5000);
            socket.setSoTimeout(5000);
            socket.setEnabledProtocols(new String[] {protocol});
            socket.startHandshake();
            return socket.getSession().getProtocol();
        }
    }

    /** The serial number of the certificate a new connection is shown. */
    private static BigInteger serialOf(InetSocketAddress address) throws Exception {
        SSLContext trustAll = SSLContext.getInstance("TLS");
        trustAll.init(null, new TrustManager[] {new TrustAll()}, null);
        try (SSLSocket socket = (SSLSocket) trustAll.getSocketFactory().createSocket()) {
            socket.connect(address, 5000);
            socket.setSoTimeout(5000);
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    /** Writes {@code bytes} and expects the server to close the connection (what it sends first is ignored). */
    private static void assertClosedAfter(InetSocketAddress address, byte[] bytes) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(address, 5000);
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
            assertThat(readToEnd(socket.getInputStream()))
                    .as("closed by the server")
                    .isTrue();
        }
    }

    /** Reads until the end of the stream (true) or a read timeout (false); a reset counts as the end. */
    private static boolean readToEnd(InputStream in) throws IOException {
        byte[] buffer = new byte[1024];
        try {
            while (in.read(buffer) >= 0) {
                // what the server sends before closing (an alert) does not matter
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (java.net.SocketException e) {
            return true; // connection reset
        }
    }

    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    @Test
    void theTextPortSpeaksTlsWithTheSameKeyLine() throws Exception {
        startTls(
                "text.tls.cert", certificate.cert().toString(),
                "text.tls.key", certificate.key().toString(),
                "text.keys", "backend-key-0123456789");
        try (WebSocketRecorder alice = WebSocketRecorder.bind(client, wss(), "alice");
                Socket tls = certificate
                        .clientContext()
                        .getSocketFactory()
                        .createSocket("127.0.0.1", server.textAddress().getPort())) {
            await().until(() -> server.hub().isOnline("alice"));
            tls.setSoTimeout(10_000);
            var lines = new java.io.BufferedReader(
                    new java.io.InputStreamReader(tls.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = tls.getOutputStream();
            out.write("auth backend-key-0123456789\n{\"uid\":\"alice\",\"percent\":\"88%\"}\n"
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            assertThat(lines.readLine()).isEqualTo("ok");
            assertThat(lines.readLine()).isEqualTo("ok");
            assertThat(alice.awaitMessage()).isEqualTo("{\"uid\":\"alice\",\"percent\":\"88%\"}");
        }
        try (Socket plain = new Socket("127.0.0.1", server.textAddress().getPort())) {
            plain.setSoTimeout(10_000);
            plain.getOutputStream().write("auth backend-key-0123456789\n".getBytes(StandardCharsets.UTF_8));
            InputStream in = plain.getInputStream();
            byte[] buffer = new byte[256];
            int n;
            do {
                n = in.read(buffer);
            } while (n > 0);
            assertThat(n).as("plain text to the TLS Text port: closed").isEqualTo(-1);
        }
        await().until(() -> stats().path("tlsHandshakeFailures").asLong() >= 1);
        assertThat(stats().path("tls").path("text").path("serial").asText())
                .isEqualTo(certificate.serial().toString(16));
    }
}
