package dev.herald.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.herald.core.auth.AuthException;
import dev.herald.core.auth.AuthException.Kind;
import dev.herald.core.auth.Authenticator;
import dev.herald.core.auth.Identity;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Connect tokens as nimbus-jose-jwt verifies them against each kind of key, with the failures a client may cause. */
class JwtAuthenticatorTest {

    private static final String SECRET = "a-shared-secret-of-at-least-32-bytes!";
    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path dir;

    private static AuthConfig hmac() {
        return config(SECRET, null, null, null, "", "");
    }

    private static AuthConfig config(
            String secret, Path publicKey, Path jwksFile, URI jwksUrl, String aud, String iss) {
        return new AuthConfig(secret, publicKey, jwksFile, jwksUrl, aud, iss, Duration.ofSeconds(60), false, 8 * 1024);
    }

    private static JWTClaimsSet.Builder claims(String sub) {
        return new JWTClaimsSet.Builder()
                .subject(sub)
                .expirationTime(Date.from(NOW.plusSeconds(3600)))
                .issueTime(Date.from(NOW));
    }

    private static String sign(JWSSigner signer, JWSAlgorithm algorithm, String kid, JWTClaimsSet claims)
            throws Exception {
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(algorithm)
                        .keyID(kid)
                        .type(JOSEObjectType.JWT)
                        .build(),
                claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    private static String hs256(JWTClaimsSet claims) throws Exception {
        return sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS256, null, claims);
    }

    private static Identity verify(Authenticator auth, String token) {
        return auth.verify(token)
                .toCompletableFuture()
                .orTimeout(10, TimeUnit.SECONDS)
                .join();
    }

    private static AuthException refusal(Authenticator auth, String token) {
        try {
            verify(auth, token);
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(AuthException.class);
            return (AuthException) e.getCause();
        }
        throw new AssertionError("token accepted: " + token);
    }

    @Test
    void anHs256TokenGivesItsSubGroupsInfoAndExpiry() throws Exception {
        JwtAuthenticator auth = new JwtAuthenticator(hmac(), CLOCK);
        String token = hs256(claims("42")
                .claim("groups", List.of("room-1", "vip"))
                .claim("info", Map.of("name", "Ann", "plan", "pro"))
                .build());

        Identity identity = verify(auth, token);

        assertThat(identity.uid()).isEqualTo("42");
        assertThat(identity.groups()).containsExactly("room-1", "vip");
        assertThat(identity.info()).contains("\"name\":\"Ann\"").contains("\"plan\":\"pro\"");
        assertThat(identity.expiresAt()).isEqualTo(NOW.plusSeconds(3600).toEpochMilli());
        assertThat(Authenticator.isToken(token)).isTrue();
        assertThat(auth.enabled()).isTrue();
        assertThat(auth.allowsBareUid()).isFalse();
    }

    @Test
    void aTokenSignedWithAnotherSecretIsRefused() throws Exception {
        JwtAuthenticator auth = new JwtAuthenticator(hmac(), CLOCK);
        String token = sign(
                new MACSigner("another-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8)),
                JWSAlgorithm.HS256,
                null,
                claims("42").build());

        AuthException refused = refusal(auth, token);

        assertThat(refused.kind()).isEqualTo(Kind.INVALID);
        assertThat(refused.getMessage()).isEqualTo("bad signature");
    }

    @Test
    void algNoneAndGarbageAreRefused() throws Exception {
        JwtAuthenticator auth = new JwtAuthenticator(hmac(), CLOCK);
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String none = b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString("{\"sub\":\"42\"}".getBytes(StandardCharsets.UTF_8)) + ".";
        String forgedNone = none + b64.encodeToString(new byte[32]);

        assertThat(refusal(auth, none).kind()).isEqualTo(Kind.INVALID);
        assertThat(refusal(auth, forgedNone).kind()).isEqualTo(Kind.INVALID);
        assertThat(refusal(auth, "eyJhbGciOiJIUzI1NiJ9.e30.AAAA").kind()).isEqualTo(Kind.INVALID);
        assertThat(refusal(auth, "eyJ.not.base64!").getMessage()).isEqualTo("not a signed JWT");
        assertThat(refusal(auth, "x".repeat(9000)).getMessage()).isEqualTo("token longer than 8192 bytes");
    }

    @Test
    void anExpiredTokenIsRefusedAsExpiredOnlyBeyondTheClockSkew() throws Exception {
        JwtAuthenticator auth = new JwtAuthenticator(hmac(), CLOCK);
        String withinSkew = hs256(
                claims("42").expirationTime(Date.from(NOW.minusSeconds(30))).build());
        String beyond = hs256(
                claims("42").expirationTime(Date.from(NOW.minusSeconds(90))).build());
        String notYet = hs256(
                claims("42").notBeforeTime(Date.from(NOW.plusSeconds(600))).build());

        assertThat(verify(auth, withinSkew).uid()).isEqualTo("42");
        assertThat(refusal(auth, beyond).kind()).isEqualTo(Kind.EXPIRED);
        assertThat(refusal(auth, notYet).kind()).isEqualTo(Kind.INVALID);
    }

    @Test
    void audienceIssuerAndSubAreChecked() throws Exception {
        JwtAuthenticator auth =
                new JwtAuthenticator(config(SECRET, null, null, null, "herald", "https://id.example.com"), CLOCK);
        String good = hs256(
                claims("42").audience("herald").issuer("https://id.example.com").build());
        String wrongAudience = hs256(
                claims("42").audience("other").issuer("https://id.example.com").build());
        String noIssuer = hs256(claims("42").audience("herald").build());
        String noSub = hs256(new JWTClaimsSet.Builder()
                .audience("herald")
                .issuer("https://id.example.com")
                .build());
        String badGroups = hs256(claims("42")
                .audience("herald")
                .issuer("https://id.example.com")
                .claim("groups", "room")
                .build());

        assertThat(verify(auth, good).uid()).isEqualTo("42");
        assertThat(refusal(auth, wrongAudience).kind()).isEqualTo(Kind.INVALID);
        assertThat(refusal(auth, noIssuer).kind()).isEqualTo(Kind.INVALID);
        assertThat(refusal(auth, noSub).getMessage()).contains("sub");
        assertThat(refusal(auth, badGroups).getMessage()).isEqualTo("groups must be an array of strings");
    }

    @Test
    void aSubThatIsNotAJsonStringIsRefused() throws Exception {
        // found by BadInputIT: nimbus turns {"sub":42} into the subject "42", and the token bound as 42
        JwtAuthenticator auth = new JwtAuthenticator(hmac(), CLOCK);
        String numeric = hs256(new JWTClaimsSet.Builder().claim("sub", 42).build());
        String decimal = hs256(new JWTClaimsSet.Builder().claim("sub", 4.2).build());

        assertThat(refusal(auth, numeric).getMessage()).isEqualTo("sub must be a string");
        assertThat(refusal(auth, decimal).getMessage()).isEqualTo("sub must be a string");
        assertThat(verify(auth, hs256(claims("42").build())).uid()).isEqualTo("42");
    }

    @Test
    void anHmacAlgorithmLongerThanTheSecretIsRefused() throws Exception {
        JwtAuthenticator auth = new JwtAuthenticator(hmac(), CLOCK); // 37 bytes: HS256 only
        byte[] long64 = (SECRET + SECRET).getBytes(StandardCharsets.UTF_8);
        String hs512 = sign(
                new MACSigner(long64), JWSAlgorithm.HS512, null, claims("42").build());

        assertThat(refusal(auth, hs512).getMessage()).isEqualTo("no key for this token's algorithm");
    }

    @Test
    void rs256AndEs256VerifyWithAPemPublicKey() throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).generate();
        Path rsaPem = pem("rsa.pem", rsa.toPublicKey().getEncoded());
        ECKey ec = new ECKeyGenerator(Curve.P_256).generate();
        Path ecPem = pem("ec.pem", ec.toPublicKey().getEncoded());

        JwtAuthenticator withRsa = new JwtAuthenticator(config("", rsaPem, null, null, "", ""), CLOCK);
        JwtAuthenticator withEc = new JwtAuthenticator(config("", ecPem, null, null, "", ""), CLOCK);
        String rs256 = sign(
                new RSASSASigner(rsa), JWSAlgorithm.RS256, null, claims("r").build());
        String es256 =
                sign(new ECDSASigner(ec), JWSAlgorithm.ES256, null, claims("e").build());

        assertThat(verify(withRsa, rs256).uid()).isEqualTo("r");
        assertThat(verify(withEc, es256).uid()).isEqualTo("e");
        assertThat(refusal(withRsa, es256).kind()).isEqualTo(Kind.INVALID);
        assertThat(refusal(withEc, rs256).kind()).isEqualTo(Kind.INVALID);
        // the HS256 confusion attack: the public key's bytes used as an HMAC secret
        String confused = sign(
                new MACSigner(padded(rsa.toPublicKey().getEncoded())),
                JWSAlgorithm.HS256,
                null,
                claims("x").build());
        assertThat(refusal(withRsa, confused).getMessage()).isEqualTo("no key for this token's algorithm");
    }

    @Test
    void aJwksFilePicksTheKeyByKid() throws Exception {
        RSAKey one = new RSAKeyGenerator(2048).keyID("one").generate();
        ECKey two = new ECKeyGenerator(Curve.P_256).keyID("two").generate();
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, new JWKSet(List.of(one.toPublicJWK(), two.toPublicJWK())).toString());
        JwtAuthenticator auth = new JwtAuthenticator(config("", null, jwks, null, "", ""), CLOCK);

        assertThat(verify(
                                auth,
                                sign(
                                        new RSASSASigner(one),
                                        JWSAlgorithm.RS256,
                                        "one",
                                        claims("a").build()))
                        .uid())
                .isEqualTo("a");
        assertThat(verify(
                                auth,
                                sign(
                                        new ECDSASigner(two),
                                        JWSAlgorithm.ES256,
                                        "two",
                                        claims("b").build()))
                        .uid())
                .isEqualTo("b");
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("one").generate();
        assertThat(refusal(
                                auth,
                                sign(
                                        new RSASSASigner(stranger),
                                        JWSAlgorithm.RS256,
                                        "one",
                                        claims("c").build()))
                        .kind())
                .isEqualTo(Kind.INVALID);
    }

    @Test
    void aJwksUrlIsFetchedOnceAndCachedAndAnUnreachableOneIsUnavailable() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("k1").generate();
        AtomicInteger fetches = new AtomicInteger();
        HttpServer idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] body = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        idp.createContext("/jwks", exchange -> {
            fetches.incrementAndGet();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        idp.start();
        try {
            URI url = URI.create("http://127.0.0.1:" + idp.getAddress().getPort() + "/jwks");
            JwtAuthenticator auth = new JwtAuthenticator(config("", null, null, url, "", ""), CLOCK);
            for (int i = 0; i < 3; i++) {
                String token = sign(
                        new RSASSASigner(key),
                        JWSAlgorithm.RS256,
                        "k1",
                        claims("u" + i).build());
                assertThat(verify(auth, token).uid()).isEqualTo("u" + i);
            }
            assertThat(fetches.get()).as("keys are cached").isEqualTo(1);
        } finally {
            idp.stop(0);
        }
        URI gone = URI.create("http://127.0.0.1:" + idp.getAddress().getPort() + "/jwks");
        JwtAuthenticator unreachable = new JwtAuthenticator(config("", null, null, gone, "", ""), CLOCK);
        String token = sign(
                new RSASSASigner(key), JWSAlgorithm.RS256, "k1", claims("x").build());
        assertThat(refusal(unreachable, token).kind()).isEqualTo(Kind.UNAVAILABLE);
    }

    @Test
    void aVerifiedTokenIsRememberedUntilItExpires() throws Exception {
        JwtAuthenticator auth = new JwtAuthenticator(hmac(), CLOCK);
        String token = hs256(claims("42").build());

        assertThat(verify(auth, token)).isSameAs(verify(auth, token));
    }

    @Test
    void badKeyFilesAndShortSecretsAreConfigurationErrors() throws Exception {
        Path notPem = Files.writeString(dir.resolve("key.pem"), "hello");
        Path privatePem = Files.writeString(
                dir.resolve("private.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");

        assertThatThrownBy(() -> config("short", null, null, null, "", "")).hasMessageContaining("at least 32 bytes");
        assertThatThrownBy(() -> new JwtAuthenticator(config("", notPem, null, null, "", ""), CLOCK))
                .hasMessageContaining("no PEM block");
        assertThatThrownBy(() -> new JwtAuthenticator(config("", privatePem, null, null, "", ""), CLOCK))
                .hasMessageContaining("not a PUBLIC KEY");
        assertThatThrownBy(
                        () -> new JwtAuthenticator(config("", null, dir.resolve("missing.json"), null, "", ""), CLOCK))
                .hasMessageContaining("jwks-file");
        assertThatThrownBy(() -> config("", null, null, URI.create("ftp://x/jwks"), "", ""))
                .hasMessageContaining("http or https");
    }

    @Test
    void mintedTokensVerify() {
        String token = TokenMinter.mint(hmac(), "7", Duration.ofMinutes(5), List.of("g"), "{\"a\":1}", NOW);

        Identity identity = verify(new JwtAuthenticator(hmac(), CLOCK), token);

        assertThat(identity.uid()).isEqualTo("7");
        assertThat(identity.groups()).containsExactly("g");
        assertThat(identity.info()).isEqualTo("{\"a\":1}");
        assertThat(identity.expiresAt()).isEqualTo(NOW.plusSeconds(300).toEpochMilli());
    }

    @Test
    void onlyTheCompactJwsShapeCountsAsAToken() {
        assertThat(Authenticator.isToken("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.sig-_0"))
                .isTrue();
        assertThat(Authenticator.isToken("42")).isFalse();
        assertThat(Authenticator.isToken("a.b.c")).isFalse();
        assertThat(Authenticator.isToken("eyJ.a.b.c")).isFalse();
        assertThat(Authenticator.isToken("eyJ a.b.c")).isFalse();
    }

    private Path pem(String name, byte[] der) throws Exception {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der);
        return Files.writeString(
                dir.resolve(name), "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n");
    }

    private static byte[] padded(byte[] key) {
        return key.length >= 32 ? key : java.util.Arrays.copyOf(key, 32);
    }
}
