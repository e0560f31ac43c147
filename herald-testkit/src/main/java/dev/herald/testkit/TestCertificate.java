package dev.herald.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for {@code localhost} and {@code 127.0.0.1}, made with the JDK's {@code
 * keytool} (no BouncyCastle) and written as the PEM files Herald reads: {@code cert.pem} (the
 * certificate) and {@code key.pem} (its PKCS#8 private key, unencrypted).
 *
 * @param cert the PEM certificate file
 * @param key the PEM PKCS#8 private key file
 * @param certificate the certificate itself, for a client to trust
 */
public record TestCertificate(Path cert, Path key, X509Certificate certificate) {

    private static final String PASSWORD = "changeit";

    /** Generates an EC P-256 key and certificate into {@code directory} (created if missing). */
    public static TestCertificate generate(Path directory) {
        return generate(directory, "EC");
    }

    /**
     * @param algorithm {@code EC} (P-256) or {@code RSA} (2048 bits)
     */
    public static TestCertificate generate(Path directory, String algorithm) {
        try {
            Files.createDirectories(directory);
            Path store = directory.resolve("keystore.p12");
            Files.deleteIfExists(store);
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                    "-genkeypair",
                    "-alias",
                    "herald",
                    "-keyalg",
                    algorithm,
                    "-dname",
                    "CN=localhost",
                    "-ext",
                    "SAN=dns:localhost,ip:127.0.0.1",
                    "-validity",
                    "2",
                    "-storetype",
                    "PKCS12",
                    "-keystore",
                    store.toString(),
                    "-storepass",
                    PASSWORD,
                    "-keypass",
                    PASSWORD));
            command.addAll("EC".equals(algorithm) ? List.of("-groupname", "secp256r1") : List.of("-keysize", "2048"));
            Process keytool =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + output);
            }
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                keyStore.load(in, PASSWORD.toCharArray());
            }
            X509Certificate certificate = (X509Certificate) keyStore.getCertificate("herald");
            PrivateKey key = (PrivateKey) keyStore.getKey("herald", PASSWORD.toCharArray());
            Path certFile = directory.resolve("cert.pem");
            Path keyFile = directory.resolve("key.pem");
            Files.writeString(certFile, pem("CERTIFICATE", certificate.getEncoded()));
            Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()));
            return new TestCertificate(certFile, keyFile, certificate);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public BigInteger serial() {
        return certificate.getSerialNumber();
    }

    /** A client context that trusts this certificate only, for TLS 1.2 and 1.3. */
    public SSLContext clientContext() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("herald", certificate);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code -----BEGIN type-----}, base64 in lines of 64, {@code -----END type-----}. */
    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
