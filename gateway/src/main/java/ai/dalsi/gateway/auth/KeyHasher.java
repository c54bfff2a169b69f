package ai.dalsi.gateway.auth;

import io.netty.util.concurrent.FastThreadLocal;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Hex SHA-256 of a key, as {@link ApiKeyFormat#sha256Hex} computes it, without allocating a
 * digest per request: each thread keeps one, with scratch arrays for the key's bytes (which the
 * format check reads before they are hashed) and for the digest.
 */
final class KeyHasher {

    /** Longer than any well-formed key. */
    private static final int SCRATCH_BYTES = 128;
    private static final int DIGEST_BYTES = 32;
    private static final HexFormat HEX = HexFormat.of();

    /** One thread's digest and scratch arrays. */
    private static final class Scratch {
        final MessageDigest digest;
        final byte[] key = new byte[SCRATCH_BYTES];
        final byte[] hash = new byte[DIGEST_BYTES];

        Scratch() {
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is required of every JVM", e);
            }
        }
    }

    private final FastThreadLocal<Scratch> scratch = new FastThreadLocal<>() {
        @Override
        protected Scratch initialValue() {
            return new Scratch();
        }
    };

    /**
     * The key's characters as bytes in this thread's scratch array, or null when it is longer than
     * the array or not ASCII (then it is not a key). Valid until the thread's next call.
     */
    byte[] ascii(CharSequence key) {
        byte[] bytes = scratch.get().key;
        return ApiKeyFormat.copyAscii(key, bytes) ? bytes : null;
    }

    /** Hex SHA-256 of {@code bytes[0..length)}. */
    String sha256Hex(byte[] bytes, int length) {
        Scratch s = scratch.get();
        MessageDigest md = s.digest;
        md.reset();
        md.update(bytes, 0, length); // one call: a call per byte costs more than the hash
        try {
            md.digest(s.hash, 0, DIGEST_BYTES);
        } catch (DigestException e) {
            throw new IllegalStateException("a SHA-256 digest is " + DIGEST_BYTES + " bytes", e);
        }
        return HEX.formatHex(s.hash); // the JDK builds the string on the hex bytes, without a copy
    }
}
