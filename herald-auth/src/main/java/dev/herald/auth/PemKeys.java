package dev.herald.auth;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Public keys from PEM files: {@code PUBLIC KEY} (SubjectPublicKeyInfo, RSA or EC) or a {@code CERTIFICATE}. */
final class PemKeys {

    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private PemKeys() {}

    /** @throws IllegalArgumentException if the file cannot be read or holds no RSA or EC public key */
    static PublicKey read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("public-key: cannot read " + file + ": " + e.getMessage(), e);
        }
        Matcher block = BLOCK.matcher(text);
        if (!block.find()) {
            throw new IllegalArgumentException("public-key: " + file + " holds no PEM block");
        }
        byte[] der = Base64.getMimeDecoder().decode(block.group(2));
        try {
            return switch (block.group(1)) {
                case "PUBLIC KEY" -> publicKey(der);
                case "CERTIFICATE" ->
                    CertificateFactory.getInstance("X.509")
                            .generateCertificate(new ByteArrayInputStream(der))
                            .getPublicKey();
                default ->
                    throw new IllegalArgumentException("public-key: " + file + " holds a " + block.group(1)
                            + ", not a PUBLIC KEY or a CERTIFICATE (convert with: openssl pkey -pubout)");
            };
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("public-key: " + file + ": " + e.getMessage(), e);
        }
    }

    private static PublicKey publicKey(byte[] der) throws GeneralSecurityException {
        X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
        try {
            return KeyFactory.getInstance("RSA").generatePublic(spec);
        } catch (GeneralSecurityException notRsa) {
            return KeyFactory.getInstance("EC").generatePublic(spec);
        }
    }
}
