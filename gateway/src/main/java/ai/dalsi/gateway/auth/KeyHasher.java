package ai.dalsi.gateway.auth;

import io.netty.util.concurrent.FastThreadLocal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Hex SHA-256 of a key, as {@link ApiKeyFormat#sha256Hex} computes it, without allocating a
 * digest per request: each thread keeps one.
 */
final class KeyHasher {

    /** Longer than any well-formed key. */
    private static final int SCRATCH_BYTES = 128;
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

    /** The key's bytes, handed to the digest in one call (a call per byte costs more than the hash). */
    private final FastThreadLocal<byte[]> scratch = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[SCRATCH_BYTES];
        }
    };

    /** Hex SHA-256 of an ASCII key. */
    String sha256Hex(CharSequence key) {
        MessageDigest md = digests.get();
        md.reset();
        int n = key.length();
        byte[] bytes = n <= SCRATCH_BYTES ? scratch.get() : new byte[n];
        for (int i = 0; i < n; i++) {
            bytes[i] = (byte) key.charAt(i);
        }
        md.update(bytes, 0, n);
        byte[] d = md.digest();
        byte[] hex = new byte[d.length * 2];
        for (int i = 0; i < d.length; i++) {
            hex[2 * i] = HEX[(d[i] >> 4) & 0xF];
            hex[2 * i + 1] = HEX[d[i] & 0xF];
        }
        return new String(hex, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
