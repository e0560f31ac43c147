package dev.herald.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Makes HS256 connect tokens with the configured secret: {@code herald token}, for development and tests. */
public final class TokenMinter {

    private TokenMinter() {}

    /**
     * @param ttl how long the token is good; {@code null} or zero: no {@code exp}
     * @param groups the {@code groups} claim (empty: none)
     * @param info the {@code info} claim as JSON object text, or {@code null}
     * @throws IllegalArgumentException if the secret is too short or the info is not a JSON object
     */
    public static String mint(
            AuthConfig config, String uid, Duration ttl, List<String> groups, String info, Instant now) {
        if (config.hmacSecret().isEmpty()) {
            throw new IllegalArgumentException("auth.hmac-secret is not set: there is no key to sign with");
        }
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(uid).issueTime(java.util.Date.from(now));
        if (ttl != null && !ttl.isZero()) {
            claims.expirationTime(java.util.Date.from(now.plus(ttl)));
        }
        if (!config.audience().isEmpty()) {
            claims.audience(config.audience());
        }
        if (!config.issuer().isEmpty()) {
            claims.issuer(config.issuer());
        }
        if (!groups.isEmpty()) {
            claims.claim("groups", groups);
        }
        if (info != null) {
            try {
                claims.claim("info", JSONObjectUtils.parse(info));
            } catch (ParseException e) {
                throw new IllegalArgumentException("info must be a JSON object: " + e.getMessage(), e);
            }
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        try {
            jwt.sign(new MACSigner(config.hmacSecret().getBytes(StandardCharsets.UTF_8)));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("cannot sign: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }
}
