package ai.dalsi.gateway.flags;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Which keys a switch with a rollout percentage applies to. Each key has a bucket from 0 to 99 per
 * flag, from a SHA-256 of the flag's name and the key's id: the same on every node and after every
 * restart (no state to share), different per flag (so the first 10% of one switch are not the first
 * 10% of every switch), and growing a rollout only adds keys (10% to 20% keeps the first 10%).
 * A key is in a rollout of {@code p} percent when its bucket is below {@code p}: 0 is nobody, 100 is
 * every key.
 */
public final class Rollout {

    private Rollout() {
    }

    /** The key's bucket for the flag, 0 to 99. */
    public static int bucket(String flagName, UUID keyId) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
        sha.update(flagName.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(ByteBuffer.allocate(16).putLong(keyId.getMostSignificantBits())
                .putLong(keyId.getLeastSignificantBits()).array());
        long h = ByteBuffer.wrap(sha.digest()).getLong();
        return (int) Long.remainderUnsigned(h, 100);
    }

    /** Whether the key is among the {@code percentage} percent of keys the flag applies to. */
    public static boolean includes(int percentage, String flagName, UUID keyId) {
        if (percentage >= 100) {
            return true;
        }
        if (percentage <= 0) {
            return false;
        }
        return bucket(flagName, keyId) < percentage;
    }
}
