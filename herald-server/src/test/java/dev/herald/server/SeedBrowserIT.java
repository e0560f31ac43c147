package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.herald.testkit.TextPortClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Alert;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.UnexpectedAlertBehaviour;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.remote.http.ClientConfig;

/**
 * The seed's own page ({@code examples/seed/push.html}) in a real headless Chromium against a real
 * Herald: the page binds {@code uid1}, a backend pushes the seed's line on the Text port, and the page
 * alerts it unchanged. Needs {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver} (Debian's
 * {@code chromium} and {@code chromium-driver}); skipped without them, except with {@code CI=true}.
 */
class SeedBrowserIT {

    private static final Path PAGE = Path.of("../examples/seed/push.html");
    private static final String SEED_WS_URL = "ws://127.0.0.1:1234";
    private static final String SEED_LINE = "{\"uid\":\"uid1\",\"percent\":\"88%\"}";

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    /** Bound on starting chromedriver, and on each browser command (creating the session included). */
    private static final Duration BROWSER_START = Duration.ofSeconds(30);
    /** Bound on the page connecting and binding, and on the pushed message reaching the alert. */
    private static final Duration PAGE_TIMEOUT = Duration.ofSeconds(15);
    /** How much of the end of chromedriver's (and Chromium's) output a failure message quotes. */
    private static final int DRIVER_LOG_TAIL = 8_000;

    /**
     * Selenium warns that it has no CDP implementation for this Chromium version; this test uses no
     * CDP, so the warning is noise. Held here so the level set on it is not lost to garbage collection.
     */
    private static final Logger CDP_VERSION_LOG = Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

    private HeraldServer server;
    private HttpServer http;
    private Path profile;
    private ChromeDriverService service;
    private ChromeDriver driver;
    private final ByteArrayOutputStream driverLog = new ByteArrayOutputStream();

    @BeforeAll
    static void browserInstalled() {
        CDP_VERSION_LOG.setLevel(Level.SEVERE);
        List<String> missing = new ArrayList<>();
        for (Path binary : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(binary)) {
                missing.add(binary.toString());
            }
        }
        String message = "SeedBrowserIT needs " + String.join(" and ", missing)
                + " (apt-get install chromium chromium-driver; .ci/run installs them)";
        if ("true".equals(System.getenv("CI"))) {
            assertThat(missing)
                    .as("CI=true: the browser test must run, but " + message)
                    .isEmpty();
        } else {
            assumeTrue(missing.isEmpty(), () -> message + "; skipped (with CI=true this fails instead)");
        }
    }

    @BeforeEach
    void start() throws IOException {
        server = TestServer.start();

        String seedPage = Files.readString(PAGE, StandardCharsets.UTF_8);
        assertThat(seedPage).as(PAGE + " holds the seed's URL once").containsOnlyOnce(SEED_WS_URL);
        byte[] page = seedPage.replace(SEED_WS_URL, TestServer.ws(server, "").toString())
                .getBytes(StandardCharsets.UTF_8);
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", exchange -> serve(exchange, page));
        http.start();

        profile = Files.createTempDirectory("herald-chromium-");
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
                "--user-data-dir=" + profile);
        // Alerts stay open until the test reads them; no command dismisses them behind its back.
        options.setUnhandledPromptBehaviour(UnexpectedAlertBehaviour.IGNORE);
        LoggingPreferences logging = new LoggingPreferences();
        logging.enable(LogType.BROWSER, Level.ALL);
        options.setCapability(ChromeOptions.LOGGING_PREFS, logging);

        // An explicit driver executable: Selenium Manager is skipped (it would try to download one).
        service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withTimeout(BROWSER_START)
                .withLogOutput(driverLog)
                .build();
        try {
            driver = new ChromeDriver(
                    service, options, ClientConfig.defaultConfig().readTimeout(BROWSER_START));
        } catch (RuntimeException e) {
            throw new AssertionError(
                    "Chromium did not start (each step bounded by " + BROWSER_START + "); chromedriver log:\n"
                            + driverLog(),
                    e);
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
            if (profile != null) {
                // Chromium may still be flushing the profile for a moment after quit.
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> deleteTree(profile));
            }
        }
    }

    @Test
    void theSeedsPageAlertsThePushedLineUnchanged() {
        String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/push.html";
        driver.get(url);

        try {
            await().atMost(PAGE_TIMEOUT).until(() -> server.hub().isOnline("uid1"));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(
                    "the page at " + url + " did not bind uid1 within " + PAGE_TIMEOUT + diagnostics(), e);
        }

        try (TextPortClient php = TextPortClient.connect(server.textAddress())) {
            assertThat(php.request(SEED_LINE)).as("Text-port reply").isEqualTo("ok");
        }

        Alert alert;
        try {
            alert = await().atMost(PAGE_TIMEOUT)
                    .ignoreException(NoAlertPresentException.class)
                    .until(() -> driver.switchTo().alert(), Objects::nonNull);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(
                    "the page showed no alert within " + PAGE_TIMEOUT + " of the push" + diagnostics(), e);
        }
        String text = alert.getText();
        alert.accept();
        assertThat(text).as("alert(e.data)").isEqualTo(SEED_LINE);
    }

    private static void serve(HttpExchange exchange, byte[] page) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!"/push.html".equals(path)) {
                // No favicon: answered without an error, so it stays out of the console log.
                exchange.sendResponseHeaders("/favicon.ico".equals(path) ? 204 : 404, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, page.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(page);
            }
        }
    }

    private String diagnostics() {
        return "\nbrowser console:\n" + browserConsole() + "\nchromedriver log:\n" + driverLog();
    }

    private String browserConsole() {
        try {
            List<LogEntry> entries = driver.manage().logs().get(LogType.BROWSER).getAll();
            if (entries.isEmpty()) {
                return "  (empty)";
            }
            return entries.stream().map(entry -> "  " + entry).collect(Collectors.joining("\n"));
        } catch (RuntimeException e) {
            return "  (unavailable: " + e + ")";
        }
    }

    private String driverLog() {
        String log = driverLog.toString(StandardCharsets.UTF_8);
        if (log.isBlank()) {
            return "  (empty)";
        }
        return log.length() <= DRIVER_LOG_TAIL ? log : "  ...\n" + log.substring(log.length() - DRIVER_LOG_TAIL);
    }

    private static boolean deleteTree(Path root) {
        if (!Files.exists(root)) {
            return true;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return !Files.exists(root);
    }
}
