package dev.herald.auth;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The connect-token settings (config keys {@code auth.*}, documented in the README). Tokens are on as
 * soon as one key is given; several may be given together (a token's {@code alg} picks which one
 * verifies it).
 *
 * @param hmacSecret shared secret for HS256/384/512 (at least 32 bytes: 256 bits); empty: none
 * @param publicKey PEM file of an RSA or EC public key (or a certificate holding one) for RS*, PS* and
 *     ES*; {@code null}: none
 * @param jwksFile a JSON Web Key Set file; {@code null}: none
 * @param jwksUrl a JSON Web Key Set URL, fetched when a token names a key not seen yet and cached;
 *     {@code null}: none
 * @param audience when not empty, tokens must name it in {@code aud}
 * @param issuer when not empty, tokens must have it as {@code iss}
 * @param clockSkew how far {@code exp} and {@code nbf} may be off (clocks of different machines differ)
 * @param allowBareUid whether a client may still bind with a bare uid while tokens are on
 * @param maxTokenBytes longest token accepted
 */
public record AuthConfig(
        String hmacSecret,
        Path publicKey,
        Path jwksFile,
        URI jwksUrl,
        String audience,
        String issuer,
        Duration clockSkew,
        boolean allowBareUid,
        int maxTokenBytes) {

    /** HS256 needs a key of at least its hash's size (RFC 7518 §3.2). */
    public static final int MIN_SECRET_BYTES = 32;

    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_TOKEN_BYTES = 8 * 1024;

    public AuthConfig {
        hmacSecret = hmacSecret == null ? "" : hmacSecret;
        audience = audience == null ? "" : audience;
        issuer = issuer == null ? "" : issuer;
        if (!hmacSecret.isEmpty() && hmacSecret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("hmac-secret must be at least " + MIN_SECRET_BYTES
                    + " bytes (HS256 needs 256 bits), was "
                    + hmacSecret.getBytes(StandardCharsets.UTF_8).length);
        }
        if (jwksUrl != null && !"http".equals(jwksUrl.getScheme()) && !"https".equals(jwksUrl.getScheme())) {
            throw new IllegalArgumentException("jwks-url must be an http or https URL, was " + jwksUrl);
        }
        if (clockSkew == null || clockSkew.isNegative() || clockSkew.toSeconds() > 3600) {
            throw new IllegalArgumentException("clock-skew must be between 0s and 1h, was " + clockSkew);
        }
        if (maxTokenBytes < 64 || maxTokenBytes > 1024 * 1024) {
            throw new IllegalArgumentException("max-token-bytes must be between 64 and 1MiB, was " + maxTokenBytes);
        }
    }

    /** No key: tokens off, every client binds with a bare uid. */
    public static AuthConfig none() {
        return new AuthConfig("", null, null, null, "", "", DEFAULT_CLOCK_SKEW, false, DEFAULT_MAX_TOKEN_BYTES);
    }

    /** Whether any key is configured. */
    public boolean enabled() {
        return !hmacSecret.isEmpty() || publicKey != null || jwksFile != null || jwksUrl != null;
    }
}
