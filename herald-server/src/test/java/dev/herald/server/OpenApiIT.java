package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import dev.herald.netty.http.HttpApiHandler;
import dev.herald.protocol.backend.CommandParser;
import dev.herald.protocol.backend.Scope;
import dev.herald.testkit.RawHttpClient;
import dev.herald.testkit.RawHttpClient.Response;
import dev.herald.testkit.WebSocketRecorder;
import io.swagger.v3.oas.models.SpecVersion;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keeps {@code GET /openapi.json} true: its operations are exactly what the server routes (derived from
 * {@link CommandParser#VERBS} and {@link HttpApiHandler#FIXED_ROUTES}, and probed), and for a table of
 * real requests, one valid and at least one invalid per command, the actual status is documented for
 * the operation and the actual body validates against the documented schema (with a JSON Schema
 * validator in the OpenAPI 3.1 dialect). Valid request bodies validate against the documented request
 * schema, and invalid ones that a schema can tell are refused by it.
 */
class OpenApiIT {

    private static final String KEY = "openapi-key-0123456789abcdef";
    private static final int LIMIT = 4096;
    private static final String BASE = "https://herald.test/openapi.json";
    private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode DOCUMENT = readDocument();
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDialect(
            Dialects.getOpenApi31(), builder -> builder.schemas(Map.of(BASE, DOCUMENT.toString())));

    private static HeraldServer server;
    private static WebSocketRecorder alice;

    @BeforeAll
    static void start() {
        server = TestServer.start("http.api-keys", KEY, "http.max-body-bytes", String.valueOf(LIMIT));
        alice = WebSocketRecorder.bind(TestServer.ws(server), "alice");
        await().until(() -> server.hub().isOnline("alice"));
        assertThat(exchange("POST", "/api/join", "{\"group\":\"room\",\"uid\":\"alice\"}")
                        .status())
                .isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        alice.close();
        server.stop();
    }

    @Test
    void theServedDocumentIsTheResourceAndOpenApi31() throws IOException {
        Response served = exchange("GET", "/openapi.json", null);

        assertThat(JSON.readTree(served.body())).isEqualTo(DOCUMENT);
        assertThat(DOCUMENT.get("openapi").asText()).isEqualTo("3.1.0");
        assertThat(DOCUMENT.at("/components/securitySchemes/bearer/scheme").asText())
                .isEqualTo("bearer");
    }

    @Test
    void theDocumentIsWellFormedOpenApi31() {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(DOCUMENT.toString(), null, options);

        assertThat(parsed.getMessages()).as("the parser's complaints").isEmpty();
        assertThat(parsed.getOpenAPI().getSpecVersion()).isEqualTo(SpecVersion.V31);
    }

    @Test
    void theDocumentedOperationsAreExactlyTheRoutedOnes() {
        Set<String> routed = new TreeSet<>();
        CommandParser.VERBS.forEach(verb -> routed.add("POST " + HttpApiHandler.API_PREFIX + verb));
        HttpApiHandler.FIXED_ROUTES.forEach((path, allow) -> {
            for (String method : allow.split(", ")) {
                routed.add(method + " " + path);
            }
        });

        assertThat(documentedOperations()).isEqualTo(routed);
    }

    @Test
    void everyKeyedOperationNamesTheScopeTheServerChecks() {
        for (String operation : documentedOperations()) {
            String[] parts = operation.split(" ");
            JsonNode documented = DOCUMENT.at(pointer("paths", parts[1], parts[0].toLowerCase(Locale.ROOT)));
            if (documented.path("security").isEmpty()) {
                assertThat(documented.has("x-herald-scope")).as(operation).isFalse();
                continue;
            }
            String scope = parts[1].startsWith(HttpApiHandler.API_PREFIX)
                    ? Scope.ofVerb(parts[1].substring(HttpApiHandler.API_PREFIX.length()))
                            .word()
                    : Scope.ADMIN.word();
            assertThat(documented.path("x-herald-scope").asText()).as(operation).isEqualTo(scope);
            assertThat(documented.at("/responses/403").isMissingNode())
                    .as(operation)
                    .isFalse();
        }
    }

    static Stream<Arguments> operations() {
        return documentedOperations().stream().map(operation -> argumentSet(operation, operation));
    }

    @ParameterizedTest
    @MethodSource("operations")
    void everyDocumentedOperationIsServed(String operation) {
        String[] parts = operation.split(" ");
        Response response = exchange(parts[0], parts[1], "{}");

        assertThat(response.status()).isNotIn(404, 405);
        assertThat(documentedResponse(parts[1], parts[0], response.status()))
                .as("status %d documented", response.status())
                .isNotNull();
    }

    static Stream<Arguments> undocumentedMethods() {
        List<Arguments> cases = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : DOCUMENT.get("paths").properties()) {
            Set<String> allowed = methodsOf(path.getValue());
            for (String method : METHODS) {
                if (!allowed.contains(method)) {
                    cases.add(argumentSet(method + " " + path.getKey(), method, path.getKey(), allowed));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest
    @MethodSource("undocumentedMethods")
    void undocumentedMethodsAre405AllowingTheDocumentedOnes(String method, String path, Set<String> documented) {
        Response response = exchange(method, path, null);

        assertThat(response.status()).isEqualTo(405);
        assertThat(Set.of(response.header("allow").split(", *"))).isEqualTo(documented);
        if (!method.equals("HEAD")) {
            assertValid(response, "#/components/schemas/Error");
        }
    }

    static Stream<String> undocumentedPaths() {
        return Stream.of(
                "/",
                "/api",
                "/api/",
                "/api/publish",
                "/api/push/",
                "/api/PUSH",
                "/api/push/extra",
                "/api//push",
                "/stats/",
                "/admin",
                "/admin/reload/",
                "/admin/stats",
                "/openapi.yaml",
                "/openapi",
                "/health",
                "/metrics/x");
    }

    @ParameterizedTest
    @MethodSource("undocumentedPaths")
    void undocumentedPathsAre404(String path) {
        assertThat(DOCUMENT.get("paths").has(path)).isFalse();
        for (String method : List.of("GET", "POST")) {
            Response response = exchange(method, path, "{}");
            assertThat(response.status()).as(method).isEqualTo(404);
            assertValid(response, "#/components/schemas/Error");
        }
    }

    /** A request of the table; {@code schemaValid}: whether its body must validate, or not, or null to not check. */
    record Call(
            String method, String path, Map<String, String> headers, String body, int status, Boolean schemaValid) {}

    static Stream<Arguments> calls() {
        return Stream.of(
                call("push one", "POST", "/api/push", "{\"uid\":\"alice\",\"data\":\"hi\"}", 200, true),
                call(
                        "push batch",
                        "POST",
                        "/api/push",
                        "[{\"uid\":\"alice\",\"data\":1},{\"groups\":[\"room\"],\"data\":{\"a\":[1]}}]",
                        200,
                        true),
                call(
                        "push with exclusions",
                        "POST",
                        "/api/push",
                        "{\"all\":true,\"exclude\":{\"uids\":[\"bob\"],\"connections\":[\"x\"]},\"data\":[]}",
                        200,
                        true),
                call("push no data", "POST", "/api/push", "{\"uid\":\"alice\"}", 400, false),
                call("push no target", "POST", "/api/push", "{\"data\":\"x\"}", 400, false),
                call(
                        "push unknown field",
                        "POST",
                        "/api/push",
                        "{\"uid\":\"alice\",\"data\":\"x\",\"priority\":1}",
                        400,
                        false),
                call("push empty batch", "POST", "/api/push", "[]", 400, false),
                call("push empty body", "POST", "/api/push", "", 400, null),
                call("push not JSON", "POST", "/api/push", "{\"uid\":", 400, null),
                call(
                        "broadcast",
                        "POST",
                        "/api/broadcast",
                        "{\"data\":\"hello\",\"exclude\":{\"uids\":[\"bob\"]}}",
                        200,
                        true),
                call("broadcast null data", "POST", "/api/broadcast", "{\"data\":null}", 400, false),
                call("broadcast with a target", "POST", "/api/broadcast", "{\"uid\":\"alice\",\"data\":1}", 400, false),
                call("online", "POST", "/api/online", "{\"uids\":[\"alice\",\"bob\"]}", 200, true),
                call("online integer uid", "POST", "/api/online", "{\"uid\":42}", 200, true),
                call("online nothing", "POST", "/api/online", "{}", 400, false),
                call("online empty uid", "POST", "/api/online", "{\"uid\":\"\"}", 400, false),
                call("connections", "POST", "/api/connections", "{\"uid\":\"alice\"}", 200, true),
                call("connections no uid", "POST", "/api/connections", "{}", 400, false),
                call("connections of two", "POST", "/api/connections", "{\"uids\":[\"alice\"]}", 400, false),
                call("uids", "POST", "/api/uids", "{\"limit\":10}", 200, true),
                call("uids empty body", "POST", "/api/uids", "", 200, null),
                call("uids limit 0", "POST", "/api/uids", "{\"limit\":0}", 400, false),
                call("groups", "POST", "/api/groups", "{}", 200, true),
                call("groups after not a string", "POST", "/api/groups", "{\"after\":1}", 400, false),
                call("count", "POST", "/api/count", "", 200, null),
                call("count a group", "POST", "/api/count", "{\"group\":\"room\"}", 200, true),
                call("count bad group name", "POST", "/api/count", "{\"group\":\"two words\"}", 400, false),
                call("members", "POST", "/api/members", "{\"group\":\"room\",\"limit\":5}", 200, true),
                call("members no group", "POST", "/api/members", "{\"limit\":5}", 400, false),
                call("join", "POST", "/api/join", "{\"group\":\"lobby\",\"uids\":[\"alice\",7]}", 200, true),
                call("join no uid", "POST", "/api/join", "{\"group\":\"lobby\"}", 400, false),
                call("leave", "POST", "/api/leave", "{\"group\":\"lobby\",\"uid\":7}", 200, true),
                call(
                        "leave uids not a list",
                        "POST",
                        "/api/leave",
                        "{\"group\":\"lobby\",\"uids\":\"alice\"}",
                        400,
                        false),
                call("kick", "POST", "/api/kick", "{\"uid\":\"nobody\",\"reason\":\"bye\"}", 200, true),
                call(
                        "kick uid and connection",
                        "POST",
                        "/api/kick",
                        "{\"uid\":\"a\",\"connection\":\"c\"}",
                        400,
                        false),
                call(
                        "kick reason too long",
                        "POST",
                        "/api/kick",
                        "{\"uid\":\"a\",\"reason\":\"" + "r".repeat(124) + "\"}",
                        400,
                        null),
                call("stats", "POST", "/api/stats", "", 200, null),
                call("stats with a field", "POST", "/api/stats", "{\"verbose\":true}", 400, false),
                call("no key", "POST", "/api/count", Map.of("Content-Type", "application/json"), "{}", 401, true),
                call(
                        "wrong key",
                        "POST",
                        "/api/online",
                        Map.of("Authorization", "Bearer wrong-key-0123456789", "Content-Type", "application/json"),
                        "{\"uid\":\"a\"}",
                        401,
                        true),
                call(
                        "body too large",
                        "POST",
                        "/api/push",
                        "{\"uid\":\"a\",\"data\":\"" + "x".repeat(LIMIT) + "\"}",
                        413,
                        true),
                call("not JSON media type", "POST", "/api/count", keyed("Content-Type", "text/plain"), "{}", 415, true),
                call(
                        "unknown expectation",
                        "POST",
                        "/api/count",
                        keyed("Content-Type", "application/json", "Expect", "later"),
                        "{}",
                        417,
                        true),
                call("GET /stats", "GET", "/stats", keyed(), null, 200, null),
                call("HEAD /stats", "HEAD", "/stats", keyed(), null, 200, null),
                call("GET /stats no key", "GET", "/stats", Map.of(), null, 401, null),
                call(
                        "GET /stats too large",
                        "GET",
                        "/stats",
                        keyed("Content-Length", String.valueOf(LIMIT + 1)),
                        null,
                        413,
                        null),
                call("POST /admin/reload", "POST", "/admin/reload", keyed(), null, 200, null),
                call("POST /admin/reload no key", "POST", "/admin/reload", Map.of(), null, 401, null),
                call("GET /healthz", "GET", "/healthz", Map.of(), null, 200, null),
                call("HEAD /healthz", "HEAD", "/healthz", Map.of(), null, 200, null),
                call("GET /readyz", "GET", "/readyz", Map.of(), null, 200, null),
                call("HEAD /readyz", "HEAD", "/readyz", Map.of(), null, 200, null),
                call("GET /metrics", "GET", "/metrics", Map.of(), null, 200, null),
                call("HEAD /metrics", "HEAD", "/metrics", Map.of(), null, 200, null),
                call("GET /openapi.json", "GET", "/openapi.json", Map.of(), null, 200, null),
                call("HEAD /openapi.json", "HEAD", "/openapi.json", Map.of(), null, 200, null),
                call("GET /healthz unknown expectation", "GET", "/healthz", Map.of("Expect", "x"), null, 417, null));
    }

    @ParameterizedTest
    @MethodSource("calls")
    void realAnswersAreDocumented(Call call) throws IOException {
        Response response = exchange(null, call);

        assertThat(response.status()).as("status").isEqualTo(call.status());
        assertDocumented(call.method(), call.path(), response);
        if (call.schemaValid() != null) {
            String pointer = "#" + pointer("paths", call.path(), call.method().toLowerCase(Locale.ROOT))
                    + "/requestBody/content/application~1json/schema";
            List<Error> errors = schema(pointer).validate(call.body(), InputFormat.JSON);
            if (call.schemaValid()) {
                assertThat(errors)
                        .as("the request body validates against the documented schema")
                        .isEmpty();
            } else {
                assertThat(errors)
                        .as("the documented request schema refuses the body too")
                        .isNotEmpty();
            }
        }
    }

    @Test
    void forbiddenAnswersAreDocumented() {
        InetAddress address = NonLoopback.address().orElse(null);
        assumeTrue(address != null, NonLoopback.NONE);
        HeraldServer open = TestServer.start("http.host", "0.0.0.0");
        try {
            InetSocketAddress target =
                    new InetSocketAddress(address, open.httpAddress().getPort());
            for (String operation : documentedOperations()) {
                String[] parts = operation.split(" ");
                boolean keyed = !DOCUMENT.at(pointer("paths", parts[1], parts[0].toLowerCase(Locale.ROOT), "security"))
                        .isEmpty();
                Response response;
                try (RawHttpClient client = RawHttpClient.connect(target, new InetSocketAddress(address, 0))) {
                    client.write(request(parts[0], parts[1], Map.of(), null));
                    response = parts[0].equals("HEAD") ? client.readHead() : client.read();
                }
                assertThat(response.status()).as(operation).isEqualTo(keyed ? 403 : 200);
                assertDocumented(parts[0], parts[1], response);
            }
        } finally {
            open.stop();
        }
    }

    // ---- the document

    private static JsonNode readDocument() {
        try (InputStream in = HttpApiHandler.class.getResourceAsStream("/openapi.json")) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Set<String> documentedOperations() {
        Set<String> operations = new TreeSet<>();
        DOCUMENT.get("paths")
                .properties()
                .forEach(path ->
                        methodsOf(path.getValue()).forEach(method -> operations.add(method + " " + path.getKey())));
        return operations;
    }

    private static Set<String> methodsOf(JsonNode pathItem) {
        Set<String> methods = new TreeSet<>();
        pathItem.fieldNames().forEachRemaining(name -> {
            if (METHODS.contains(name.toUpperCase(Locale.ROOT)) || name.equals("trace")) {
                methods.add(name.toUpperCase(Locale.ROOT));
            }
        });
        return methods;
    }

    /** The JSON pointer of the documented response (after {@code $ref}), or null if the status is not documented. */
    private static String documentedResponse(String path, String method, int status) {
        String at = pointer("paths", path, method.toLowerCase(Locale.ROOT), "responses", String.valueOf(status));
        JsonNode response = DOCUMENT.at(at);
        if (response.isMissingNode()) {
            return null;
        }
        while (response.has("$ref")) {
            at = response.get("$ref").asText().substring(1);
            response = DOCUMENT.at(at);
        }
        return at;
    }

    private static void assertDocumented(String method, String path, Response response) {
        String at = documentedResponse(path, method, response.status());
        assertThat(at)
                .as("%s %s: status %d documented", method, path, response.status())
                .isNotNull();
        JsonNode documented = DOCUMENT.at(at);
        documented
                .path("headers")
                .fieldNames()
                .forEachRemaining(header -> assertThat(response.header(header))
                        .as("documented header %s", header)
                        .isNotNull());
        JsonNode content = documented.get("content");
        if (method.equals("HEAD")) {
            assertThat(content).as("HEAD answers document no content").isNull();
            assertThat(response.body()).isEmpty();
            return;
        }
        assertThat(content).as("%s documents a body", at).isNotNull();
        String type = response.header("content-type").split(";")[0].trim();
        assertThat(content.has(type))
                .as("%s documents %s among %s", at, type, content)
                .isTrue();
        if (type.equals("application/json")) {
            assertValid(response, "#" + at + "/content/application~1json/schema");
        }
    }

    private static void assertValid(Response response, String schemaPointer) {
        List<Error> errors = schema(schemaPointer).validate(response.bodyText(), InputFormat.JSON);
        assertThat(errors)
                .as("%s validates against %s", response.bodyText(), schemaPointer)
                .isEmpty();
    }

    private static Schema schema(String pointer) {
        return SCHEMAS.getSchema(SchemaLocation.of(BASE + pointer));
    }

    private static String pointer(String... tokens) {
        return Arrays.stream(tokens)
                .map(token -> "/" + token.replace("~", "~0").replace("/", "~1"))
                .collect(Collectors.joining());
    }

    // ---- requests

    private static Map<String, String> keyed(String... headers) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("Authorization", "Bearer " + KEY);
        for (int i = 0; i < headers.length; i += 2) {
            all.put(headers[i], headers[i + 1]);
        }
        return all;
    }

    private static Arguments call(
            String name, String method, String path, String body, int status, Boolean schemaValid) {
        return call(name, method, path, keyed("Content-Type", "application/json"), body, status, schemaValid);
    }

    private static Arguments call(
            String name,
            String method,
            String path,
            Map<String, String> headers,
            String body,
            int status,
            Boolean schemaValid) {
        return argumentSet(name, new Call(method, path, headers, body, status, schemaValid));
    }

    /** A keyed request with a JSON body (or none), on a new connection. */
    private static Response exchange(String method, String path, String body) {
        Map<String, String> headers = body == null ? keyed() : keyed("Content-Type", "application/json");
        return exchange(null, new Call(method, path, headers, body, 0, null));
    }

    private static Response exchange(InetSocketAddress local, Call call) {
        try (RawHttpClient client = RawHttpClient.connect(server.httpAddress(), local)) {
            client.write(request(call.method(), call.path(), call.headers(), call.body()));
            return call.method().equals("HEAD") ? client.readHead() : client.read();
        }
    }

    private static String request(String method, String path, Map<String, String> headers, String body) {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: herald\r\n");
        headers.forEach(
                (name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        if (!headers.containsKey("Content-Length")) {
            request.append("Content-Length: ").append(bytes.length).append("\r\n");
        }
        return request.append("\r\n").append(body == null ? "" : body).toString();
    }
}
