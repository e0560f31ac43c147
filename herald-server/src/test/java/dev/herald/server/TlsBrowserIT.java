package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.herald.testkit.TestCertificate;
import dev.herald.testkit.TextPortClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Alert;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.UnexpectedAlertBehaviour;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.remote.http.ClientConfig;

/**
 * The seed's page in a real headless Chromium, over {@code wss://}: Chromium trusts the test
 * certificate by its public key's hash ({@code --ignore-certificate-errors-spki-list}, so every other
 * check of the certificate still runs), the page binds, a backend pushes, the page alerts the line. As
 * {@link SeedBrowserIT}, it needs {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver} and is
 * skipped without them, except with {@code CI=true}.
 */
class TlsBrowserIT {

    private static final Path PAGE = Path.of("../examples/seed/push.html");
    private static final String SEED_WS_URL = "ws://127.0.0.1:1234";
    private static final String SEED_LINE = "{\"uid\":\"uid1\",\"percent\":\"88%\"}";
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration BROWSER_START = Duration.ofSeconds(30);
    private static final Duration PAGE_TIMEOUT = Duration.ofSeconds(15);
    private static final Logger CDP_VERSION_LOG = Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

    @TempDir
    Path dir;

    private HeraldServer server;
    private HttpServer http;
    private ChromeDriver driver;
    private ChromeDriverService service;
    private final ByteArrayOutputStream driverLog = new ByteArrayOutputStream();

    @BeforeAll
    static void browserInstalled() {
        CDP_VERSION_LOG.setLevel(Level.SEVERE);
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if ("true".equals(System.getenv("CI"))) {
            assertThat(installed)
                    .as("CI=true: TlsBrowserIT needs chromium and chromedriver")
                    .isTrue();
        } else {
            assumeTrue(installed, "TlsBrowserIT needs /usr/bin/chromium and /usr/bin/chromedriver; skipped");
        }
    }

    @AfterEach
    void stop() {
        try {
            if (driver != null) {
                driver.quit();
            } else if (service != null) {
                service.stop();
            }
        } finally {
            if (http != null) {
                http.stop(0);
            }
            if (server != null) {
                server.stop();
            }
        }
    }

    @Test
    void theSeedsPageBindsOverWssAndAlertsThePushedLine() throws Exception {
        TestCertificate certificate = TestCertificate.generate(dir.resolve("tls"));
        server = TestServer.start(
                "websocket.tls.cert", certificate.cert().toString(),
                "websocket.tls.key", certificate.key().toString());
        String wss = "wss://127.0.0.1:" + server.websocketAddress().getPort();
        String seedPage = Files.readString(PAGE, StandardCharsets.UTF_8);
        assertThat(seedPage).containsOnlyOnce(SEED_WS_URL);
        byte[] page = seedPage.replace(SEED_WS_URL, wss).getBytes(StandardCharsets.UTF_8);
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", exchange -> serve(exchange, page));
        http.start();

        String spki = Base64.getEncoder()
                .encodeToString(MessageDigest.getInstance("SHA-256")
                        .digest(certificate.certificate().getPublicKey().getEncoded()));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--ignore-certificate-errors-spki-list=" + spki,
                "--user-data-dir=" + Files.createDirectories(dir.resolve("profile")));
        options.setUnhandledPromptBehaviour(UnexpectedAlertBehaviour.IGNORE);
        service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withTimeout(BROWSER_START)
                .withLogOutput(driverLog)
                .build();
        driver = new ChromeDriver(service, options, ClientConfig.defaultConfig().readTimeout(BROWSER_START));

        driver.get("http://127.0.0.1:" + http.getAddress().getPort() + "/push.html");
        try {
            await().atMost(PAGE_TIMEOUT).until(() -> server.hub().isOnline("uid1"));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("the page did not bind uid1 over " + wss + "; chromedriver log:\n"
                    + driverLog.toString(StandardCharsets.UTF_8));
        }
        try (TextPortClient php = TextPortClient.connect(server.textAddress())) {
            assertThat(php.request(SEED_LINE)).isEqualTo("ok");
        }
        Alert alert = await().atMost(PAGE_TIMEOUT)
                .ignoreException(NoAlertPresentException.class)
                .until(() -> driver.switchTo().alert(), Objects::nonNull);
        String text = alert.getText();
        alert.accept();
        assertThat(text).isEqualTo(SEED_LINE);
        assertThat(server.stats().get("tlsHandshakeFailures")).isEqualTo(0L);
    }

    private static void serve(HttpExchange exchange, byte[] page) throws IOException {
        try (exchange) {
            if (!"/push.html".equals(exchange.getRequestURI().getPath())) {
                exchange.sendResponseHeaders(204, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(page);
            }
        }
    }
}
