package ai.dalsi.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.zip.CRC32;

/**
 * The API key format: {@code dsk_live_} or {@code dsk_test_}, then {@value #RANDOM_LENGTH}
 * base62 characters from {@link SecureRandom}, then a {@value #CHECKSUM_LENGTH}-character base62
 * CRC32 of everything before it. The checksum lets the edge refuse typos and garbage with no cache
 * or database access at all.
 *
 * <p>Only the hex SHA-256 of a key is stored ({@code api_keys.key_hash}): keys are high-entropy,
 * so a slow password hash would cost CPU on every cache miss and protect nothing. The first
 * {@value #DISPLAY_PREFIX_LENGTH} characters are kept for display ({@code key_prefix}).
 */
public final class ApiKeyFormat {

    public static final int PREFIX_LENGTH = 9;
    public static final int RANDOM_LENGTH = 32;
    public static final int CHECKSUM_LENGTH = 6;
    public static final int LENGTH = PREFIX_LENGTH + RANDOM_LENGTH + CHECKSUM_LENGTH;
    public static final int DISPLAY_PREFIX_LENGTH = 12;

    private static final char[] BASE62 =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final HexFormat HEX = HexFormat.of();
    /** {@link KeyEnvironment#values()} once: each call of it copies the array. */
    private static final KeyEnvironment[] ENVIRONMENTS = KeyEnvironment.values();

    private ApiKeyFormat() {
    }

    /** A new key for the environment. */
    public static String generate(KeyEnvironment environment, SecureRandom random) {
        StringBuilder sb = new StringBuilder(LENGTH).append(environment.keyPrefix());
        for (int i = 0; i < RANDOM_LENGTH; i++) {
            sb.append(BASE62[random.nextInt(BASE62.length)]);
        }
        appendChecksum(sb, crc(bytes(sb, sb.length()), sb.length()));
        return sb.toString();
    }

    /**
     * The environment of a well-formed key, or null when the text is not one (wrong length,
     * prefix, alphabet or checksum).
     */
    public static KeyEnvironment environmentOf(CharSequence key) {
        if (key == null || key.length() != LENGTH) {
            return null;
        }
        byte[] bytes = new byte[LENGTH];
        return copyAscii(key, bytes) ? environmentOf(bytes, LENGTH) : null;
    }

    /**
     * Copies the text's characters into {@code to} as bytes; false, with {@code to} holding garbage,
     * when one is not ASCII (its low eight bits could pass for an ASCII character) or the text is
     * longer than {@code to}.
     */
    static boolean copyAscii(CharSequence s, byte[] to) {
        int n = s.length();
        if (n > to.length) {
            return false;
        }
        int any = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            any |= c;
            to[i] = (byte) c;
        }
        return any <= 0x7F;
    }

    /**
     * The environment of a well-formed key given as its ASCII bytes ({@code key[0..length)}), or
     * null when they are not one. Reads the bytes only: the edge checks and then hashes one copy
     * of the presented key.
     */
    static KeyEnvironment environmentOf(byte[] key, int length) {
        if (length != LENGTH) {
            return null;
        }
        KeyEnvironment env = null;
        for (KeyEnvironment e : ENVIRONMENTS) {
            if (startsWith(key, e.keyPrefix())) {
                env = e;
                break;
            }
        }
        if (env == null) {
            return null;
        }
        for (int i = PREFIX_LENGTH; i < LENGTH; i++) {
            if (base62Value(key[i]) < 0) {
                return null;
            }
        }
        long expected = crc(key, PREFIX_LENGTH + RANDOM_LENGTH);
        long actual = 0;
        for (int i = PREFIX_LENGTH + RANDOM_LENGTH; i < LENGTH; i++) {
            actual = actual * 62 + base62Value(key[i]);
        }
        return actual == expected ? env : null;
    }

    /** Whether the text is a well-formed key. */
    public static boolean isWellFormed(CharSequence key) {
        return environmentOf(key) != null;
    }

    /** Hex SHA-256 of the key: what {@code api_keys.key_hash} stores and lookups use. */
    public static String sha256Hex(CharSequence key) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HEX.formatHex(md.digest(bytes(key, key.length()))); // keys are ASCII (checked by environmentOf)
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    /** Constant-time comparison of two hex hashes. */
    public static boolean hashesEqual(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
    }

    /** The first {@value #DISPLAY_PREFIX_LENGTH} characters, safe to show and log. */
    public static String displayPrefix(CharSequence key) {
        return key.subSequence(0, Math.min(DISPLAY_PREFIX_LENGTH, key.length())).toString();
    }

    private static boolean startsWith(byte[] s, String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            if (s[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static long crc(byte[] bytes, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, length); // one call: a call per byte costs several times more
        return crc.getValue();
    }

    /** The low eight bits of each of the first {@code length} characters (all of an ASCII text). */
    private static byte[] bytes(CharSequence s, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) s.charAt(i);
        }
        return bytes;
    }

    private static void appendChecksum(StringBuilder sb, long value) {
        char[] digits = new char[CHECKSUM_LENGTH];
        for (int i = CHECKSUM_LENGTH - 1; i >= 0; i--) {
            digits[i] = BASE62[(int) (value % 62)];
            value /= 62;
        }
        sb.append(digits);
    }

    private static int base62Value(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'A' && c <= 'Z') {
            return c - 'A' + 10;
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 36;
        }
        return -1;
    }
}
