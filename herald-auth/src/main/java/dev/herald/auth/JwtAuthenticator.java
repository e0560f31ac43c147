package dev.herald.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import dev.herald.core.auth.AuthException;
import dev.herald.core.auth.AuthException.Kind;
import dev.herald.core.auth.Authenticator;
import dev.herald.core.auth.Identity;
import java.io.IOException;
import java.net.MalformedURLException;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies connect tokens (JWS-signed JWTs) with nimbus-jose-jwt against the keys of an {@link
 * AuthConfig}: HS256/384/512 with the shared secret, RS256/384/512, PS256/384/512 and ES256/384/512
 * with the PEM public key or the keys of a JWKS file or URL. The token's {@code alg} picks the key;
 * {@code alg: none} and every algorithm without a configured key are refused.
 *
 * <p>Keys are read once, when the configuration is (start or reload); a JWKS URL's keys are fetched
 * when a token names one not cached yet (at most once per 30 s) and kept for 5 minutes, on a thread of
 * their own, so no caller ever waits for the network. Tokens verified once are remembered (up to
 * {@value #MAX_REMEMBERED} of them, until they expire), so that clients reconnecting with the token
 * they had cost no signature check. Thread-safe.
 */
public final class JwtAuthenticator implements Authenticator {

    private static final Logger log = LoggerFactory.getLogger(JwtAuthenticator.class);

    /** Verified tokens remembered; past it, the memory starts again. */
    static final int MAX_REMEMBERED = 16_384;

    private static final Set<JWSAlgorithm> HMAC = Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);
    private static final Set<JWSAlgorithm> RSA = Set.of(
            JWSAlgorithm.RS256,
            JWSAlgorithm.RS384,
            JWSAlgorithm.RS512,
            JWSAlgorithm.PS256,
            JWSAlgorithm.PS384,
            JWSAlgorithm.PS512);
    private static final Set<JWSAlgorithm> EC = Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

    private final AuthConfig config;
    private final Clock clock;
    private final SecretKeySpec secret;
    private final PublicKey publicKey;
    private final JWSVerificationKeySelector<SecurityContext> jwks;
    /** Verifies on a thread of its own when keys may have to be fetched; {@code null}: in the caller. */
    private final ExecutorService fetcher;

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final ConcurrentHashMap<String, Identity> remembered = new ConcurrentHashMap<>();

    /**
     * Reads the keys.
     *
     * @throws IllegalArgumentException naming the key whose file cannot be read or holds no usable key
     */
    public JwtAuthenticator(AuthConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        byte[] secretBytes = config.hmacSecret().getBytes(StandardCharsets.UTF_8);
        this.secret = secretBytes.length == 0 ? null : new SecretKeySpec(secretBytes, "HmacSHA256");
        this.publicKey = config.publicKey() == null ? null : PemKeys.read(config.publicKey());
        JWKSource<SecurityContext> source = null;
        if (config.jwksFile() != null) {
            try {
                source = new ImmutableJWKSet<>(JWKSet.load(config.jwksFile().toFile()));
            } catch (IOException | ParseException e) {
                throw new IllegalArgumentException(
                        "jwks-file: cannot read " + config.jwksFile() + ": " + e.getMessage(), e);
            }
        } else if (config.jwksUrl() != null) {
            try {
                source = JWKSourceBuilder.create(config.jwksUrl().toURL())
                        .retrying(true)
                        .build();
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException("jwks-url: " + e.getMessage(), e);
            }
        }
        Set<JWSAlgorithm> publicAlgorithms = new HashSet<>(RSA);
        publicAlgorithms.addAll(EC);
        this.jwks = source == null ? null : new JWSVerificationKeySelector<>(publicAlgorithms, source);
        this.fetcher = config.jwksUrl() == null
                ? null
                : new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(10_000), runnable -> {
                    Thread thread = new Thread(runnable, "herald-jwks");
                    thread.setDaemon(true);
                    return thread;
                });
        if (fetcher instanceof ThreadPoolExecutor pool) {
            pool.allowCoreThreadTimeOut(true); // an authenticator replaced by a reload leaves no thread
        }
        processor.setJWSKeySelector(this::keys);
        DefaultJWTClaimsVerifier<SecurityContext> claims =
                new DefaultJWTClaimsVerifier<>(
                        config.audience().isEmpty() ? null : Set.of(config.audience()),
                        config.issuer().isEmpty()
                                ? null
                                : new JWTClaimsSet.Builder()
                                        .issuer(config.issuer())
                                        .build(),
                        Set.of("sub"),
                        null) {
                    @Override
                    protected Date currentTime() {
                        return new Date(clock.millis());
                    }
                };
        claims.setMaxClockSkew((int) config.clockSkew().toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
    }

    @Override
    public boolean enabled() {
        return config.enabled();
    }

    @Override
    public boolean allowsBareUid() {
        return !config.enabled() || config.allowBareUid();
    }

    @Override
    public long clockSkewMillis() {
        return config.clockSkew().toMillis();
    }

    @Override
    public CompletionStage<Identity> verify(String token) {
        Identity known = remembered.get(token);
        if (known != null) {
            if (!expired(known)) {
                return CompletableFuture.completedFuture(known);
            }
            remembered.remove(token);
        }
        if (fetcher == null) {
            try {
                return CompletableFuture.completedFuture(verifyNow(token));
            } catch (AuthException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        try {
            return CompletableFuture.supplyAsync(() -> verifyNow(token), fetcher);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new AuthException(Kind.UNAVAILABLE, "token verification busy"));
        }
    }

    /** Stops the JWKS thread, if any; tokens are refused from now on. */
    public void close() {
        if (fetcher != null) {
            fetcher.shutdownNow();
        }
    }

    private boolean expired(Identity identity) {
        return identity.expires() && identity.expiresAt() + config.clockSkew().toMillis() < clock.millis();
    }

    /** Verifies in the calling thread (which may fetch keys). */
    Identity verifyNow(String token) {
        if (token.length() > config.maxTokenBytes()) {
            throw new AuthException(Kind.INVALID, "token longer than " + config.maxTokenBytes() + " bytes");
        }
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException e) {
            throw new AuthException(Kind.INVALID, "not a signed JWT");
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(jwt, null);
        } catch (ExpiredJWTException e) {
            throw new AuthException(Kind.EXPIRED, "token expired");
        } catch (BadJOSEException e) {
            throw new AuthException(Kind.INVALID, refusal(e));
        } catch (JOSEException e) {
            if (e.getCause() instanceof KeySourceException || e instanceof KeySourceException) {
                log.warn("cannot fetch the keys of {}: {}", config.jwksUrl(), e.getMessage());
                throw new AuthException(Kind.UNAVAILABLE, "token keys unavailable");
            }
            throw new AuthException(Kind.INVALID, "token refused: " + e.getMessage());
        }
        // nimbus reads a numeric sub as its decimal text; the uid must be a JSON string (README)
        if (!(jwt.getPayload().toJSONObject().get("sub") instanceof String)) {
            throw new AuthException(Kind.INVALID, "sub must be a string");
        }
        Identity identity = identity(claims);
        if (remembered.size() >= MAX_REMEMBERED) {
            remembered.clear();
        }
        remembered.put(token, identity);
        return identity;
    }

    /** The keys that may verify a token with this header: those of its algorithm's family. */
    private List<? extends Key> keys(JWSHeader header, SecurityContext context) throws KeySourceException {
        JWSAlgorithm algorithm = header.getAlgorithm();
        List<Key> keys = new ArrayList<>(2);
        if (HMAC.contains(algorithm)) {
            if (secret != null && secret.getEncoded().length * 8 >= bits(algorithm)) {
                keys.add(secret);
            }
            return keys;
        }
        if (publicKey instanceof RSAPublicKey && RSA.contains(algorithm)) {
            keys.add(publicKey);
        } else if (publicKey instanceof ECPublicKey ec && EC.contains(algorithm)) {
            Curve curve = Curve.forECParameterSpec(ec.getParams());
            if (curve != null && Curve.forJWSAlgorithm(algorithm).contains(curve)) {
                keys.add(publicKey);
            }
        }
        if (jwks != null && (RSA.contains(algorithm) || EC.contains(algorithm))) {
            keys.addAll(jwks.selectJWSKeys(header, context));
        }
        return keys;
    }

    private static int bits(JWSAlgorithm hmac) {
        return hmac.equals(JWSAlgorithm.HS256) ? 256 : hmac.equals(JWSAlgorithm.HS384) ? 384 : 512;
    }

    /** What a client is told about a refused token: nimbus's reason, without its prefixes. */
    private static String refusal(BadJOSEException e) {
        String message = e.getMessage() == null ? "token refused" : e.getMessage();
        if (message.contains("no matching key")) {
            return "no key for this token's algorithm";
        }
        if (message.contains("Invalid signature")) {
            return "bad signature";
        }
        return message.length() > 100 ? message.substring(0, 100) : message;
    }

    private static Identity identity(JWTClaimsSet claims) {
        String uid = claims.getSubject();
        if (uid == null) {
            throw new AuthException(Kind.INVALID, "sub must be a string");
        }
        List<String> groups = List.of();
        Object claimed = claims.getClaim("groups");
        if (claimed != null) {
            if (!(claimed instanceof List<?> list)) {
                throw new AuthException(Kind.INVALID, "groups must be an array of strings");
            }
            List<String> names = new ArrayList<>(list.size());
            for (Object group : list) {
                if (!(group instanceof String name)) {
                    throw new AuthException(Kind.INVALID, "groups must be an array of strings");
                }
                names.add(name);
            }
            groups = names;
        }
        String info = null;
        Object attached = claims.getClaim("info");
        if (attached != null) {
            if (!(attached instanceof Map<?, ?>)) {
                throw new AuthException(Kind.INVALID, "info must be a JSON object");
            }
            try {
                info = JSONObjectUtils.toJSONString(claims.getJSONObjectClaim("info"));
            } catch (ParseException e) {
                throw new AuthException(Kind.INVALID, "info must be a JSON object");
            }
        }
        Date exp = claims.getExpirationTime();
        return new Identity(uid, groups, info, exp == null ? 0 : Math.max(1, exp.getTime()));
    }
}
