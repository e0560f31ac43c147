package dev.herald.netty.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.KeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * A listener's TLS: the PEM files it was read from and the {@link SslContext} built from them, or
 * {@link #OFF}. Immutable: a reload builds a new one, which new connections use while open ones keep
 * theirs.
 *
 * <p>TLS 1.3 and 1.2 only, ECDHE with AEAD ciphers ({@link #CIPHERS}), ALPN {@code http/1.1}. The
 * provider is BoringSSL ({@code netty-tcnative}) where it loads, else the JDK's.
 *
 * @param cert the certificate chain file, leaf first
 * @param key the PKCS#8 private key file of the leaf
 * @param sslContext what new connections handshake with
 * @param serial the leaf certificate's serial number
 * @param notAfter when the leaf certificate expires
 */
public record TlsContext(Path cert, Path key, SslContext sslContext, BigInteger serial, Instant notAfter) {

    /** No TLS: the listener speaks plain TCP. */
    public static final TlsContext OFF = new TlsContext(null, null, null, null, null);

    /** The protocols offered, newest first. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /**
     * TLS 1.2 suites: forward secret and authenticated encryption only (Mozilla's "intermediate" list).
     * TLS 1.3 suites are all acceptable and come from the provider.
     */
    public static final List<String> CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private static final Pattern PEM_KEY =
            Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    private static final String PBES2 = "1.2.840.113549.1.5.13";

    public TlsContext {
        if (sslContext != null && (cert == null || key == null || serial == null || notAfter == null)) {
            throw new IllegalArgumentException("a TLS context needs its files, serial and expiry");
        }
    }

    public boolean enabled() {
        return sslContext != null;
    }

    /** {@code openssl} (BoringSSL, from netty-tcnative) when it loads on this machine, else {@code jdk}. */
    public static String provider() {
        return OpenSsl.isAvailable() ? "openssl" : "jdk";
    }

    /**
     * Reads the files and builds a server context.
     *
     * @param cert PEM certificate chain, leaf first
     * @param key PEM PKCS#8 private key ({@code BEGIN PRIVATE KEY}, or {@code BEGIN ENCRYPTED PRIVATE
     *     KEY} with a password)
     * @param password of an encrypted key; empty or {@code null} for none
     * @throws IllegalArgumentException starting with {@code tls.cert: } or {@code tls.key: }, saying what
     *     is wrong (unreadable, not PEM, expired, not the certificate's key)
     */
    public static TlsContext load(Path cert, Path key, String password) {
        List<X509Certificate> chain = readChain(cert);
        PrivateKey privateKey = readKey(key, password);
        X509Certificate leaf = chain.get(0);
        if (!matches(privateKey, leaf.getPublicKey())) {
            throw new IllegalArgumentException(
                    "tls.key: " + key + " is not the private key of the certificate in " + cert);
        }
        if (leaf.getNotAfter().toInstant().isBefore(Instant.now())) {
            throw new IllegalArgumentException("tls.cert: the certificate in " + cert + " expired at "
                    + leaf.getNotAfter().toInstant());
        }
        try {
            SslContext context = SslContextBuilder.forServer(privateKey, chain.toArray(X509Certificate[]::new))
                    .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                    .protocols(PROTOCOLS)
                    .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(
                            ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_1_1))
                    .build();
            return new TlsContext(
                    cert,
                    key,
                    context,
                    leaf.getSerialNumber(),
                    leaf.getNotAfter().toInstant());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("tls.cert: cannot build a TLS context from " + cert + ": " + e, e);
        }
    }

    /**
     * A handler for one new connection, first in its pipeline. A handshake not finished within {@code
     * timeout} closes the connection.
     */
    public SslHandler newHandler(ByteBufAllocator alloc, Duration timeout) {
        SslHandler handler = sslContext.newHandler(alloc);
        handler.setHandshakeTimeoutMillis(Math.max(1, timeout.toMillis()));
        return handler;
    }

    /** {@code off}, or the serial number in hex and the expiry. */
    public String describe() {
        return enabled() ? "serial " + serial.toString(16) + ", expires " + notAfter : "off";
    }

    private static List<X509Certificate> readChain(Path cert) {
        byte[] pem = read("tls.cert", cert);
        List<X509Certificate> chain = new ArrayList<>();
        try {
            for (var certificate :
                    CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))) {
                chain.add((X509Certificate) certificate);
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "tls.cert: " + cert + " is not a PEM certificate chain: " + e.getMessage());
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("tls.cert: " + cert + " holds no certificate (BEGIN CERTIFICATE)");
        }
        return chain;
    }

    private static PrivateKey readKey(Path key, String password) {
        String pem = new String(read("tls.key", key), StandardCharsets.US_ASCII);
        Matcher m = PEM_KEY.matcher(pem);
        if (!m.find()) {
            throw new IllegalArgumentException("tls.key: " + key + " holds no PEM private key");
        }
        String type = m.group(1);
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(2));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tls.key: " + key + " is not valid base64 PEM");
        }
        boolean hasPassword = password != null && !password.isEmpty();
        KeySpec spec;
        switch (type) {
            case "PRIVATE KEY" -> spec = new PKCS8EncodedKeySpec(der);
            case "ENCRYPTED PRIVATE KEY" -> {
                if (!hasPassword) {
                    throw new IllegalArgumentException(
                            "tls.key: " + key + " is encrypted: set the key-password of this listener");
                }
                spec = decrypt(key, der, password);
            }
            default ->
                throw new IllegalArgumentException("tls.key: " + key + " holds a " + type
                        + ", not a PKCS#8 key; convert it with: openssl pkcs8 -topk8 -nocrypt -in OLD -out NEW");
        }
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // the next algorithm
            }
        }
        throw new IllegalArgumentException("tls.key: " + key + " is not an RSA, EC or EdDSA private key");
    }

    private static KeySpec decrypt(Path key, byte[] der, String password) {
        try {
            EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
            AlgorithmParameters parameters = info.getAlgParameters();
            String algorithm = PBES2.equals(info.getAlgName()) || "PBES2".equals(info.getAlgName())
                    ? parameters.toString()
                    : info.getAlgName();
            Cipher cipher = Cipher.getInstance(algorithm);
            cipher.init(
                    Cipher.DECRYPT_MODE,
                    SecretKeyFactory.getInstance(algorithm).generateSecret(new PBEKeySpec(password.toCharArray())),
                    parameters);
            return info.getKeySpec(cipher);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "tls.key: cannot decrypt " + key + " (wrong key-password, or a cipher the JDK lacks): " + e);
        }
    }

    /** Signs random bytes with the key and verifies them with the certificate's public key. */
    private static boolean matches(PrivateKey key, PublicKey certificate) {
        if (!key.getAlgorithm().equals(certificate.getAlgorithm())) {
            return false;
        }
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> key.getAlgorithm(); // Ed25519, Ed448
        };
        try {
            byte[] data = new byte[32];
            new SecureRandom().nextBytes(data);
            Signature signer = Signature.getInstance(algorithm);
            if ("RSASSA-PSS".equals(algorithm)) {
                signer.setParameter(new java.security.spec.PSSParameterSpec(
                        "SHA-256", "MGF1", java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            signer.initSign(key);
            signer.update(data);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            if ("RSASSA-PSS".equals(algorithm)) {
                verifier.setParameter(new java.security.spec.PSSParameterSpec(
                        "SHA-256", "MGF1", java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            verifier.initVerify(certificate);
            verifier.update(data);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static byte[] read(String what, Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + ": cannot read " + file + ": " + e);
        }
    }
}
