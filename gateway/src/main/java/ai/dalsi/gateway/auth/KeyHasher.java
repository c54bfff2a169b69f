package ai.dalsi.gateway.auth;

import io.netty.util.concurrent.FastThreadLocal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Hex SHA-256 of a key, as {@link ApiKeyFormat#sha256Hex} computes it, without allocating a
 * digest per request: each thread keeps one.
 */
final class KeyHasher {

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final FastThreadLocal<MessageDigest> digests = new FastThreadLocal<>() {
        @Override
        protected MessageDigest initialValue() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is required of every JVM", e);
            }
        }
    };

    /** Hex SHA-256 of an ASCII key. */
    String sha256Hex(CharSequence key) {
        MessageDigest md = digests.get();
        md.reset();
        for (int i = 0; i < key.length(); i++) {
            md.update((byte) key.charAt(i));
        }
        byte[] d = md.digest();
        byte[] hex = new byte[d.length * 2];
        for (int i = 0; i < d.length; i++) {
            hex[2 * i] = HEX[(d[i] >> 4) & 0xF];
            hex[2 * i + 1] = HEX[d[i] & 0xF];
        }
        return new String(hex, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
