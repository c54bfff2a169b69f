package ai.dalsi.persistence;

import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, version 7, variant {@code 10}, 74 random bits.
 * Request ids are UUIDv7 so that {@code api_usage_logs.created_at} can be derived from the id (the
 * table checks {@code created_at = uuid_v7_time(id)}). The random bits come from
 * {@link ThreadLocalRandom}: ids must be unique, not secret.
 */
public final class UuidV7 {

    private UuidV7() {
    }

    /** A new id for the given instant (milliseconds are kept, finer precision is dropped). */
    public static UUID at(long epochMillis) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long msb = (epochMillis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
        long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb);
    }

    /** A new id for the given instant. */
    public static UUID at(Instant instant) {
        return at(instant.toEpochMilli());
    }

    /** The Unix milliseconds inside a UUIDv7. */
    public static long epochMillis(UUID id) {
        return id.getMostSignificantBits() >>> 16;
    }

    /** The instant inside a UUIDv7: what {@code api_usage_logs.created_at} must be for this id. */
    public static Instant instant(UUID id) {
        return Instant.ofEpochMilli(epochMillis(id));
    }

    /** Whether the id carries version 7 and the RFC 9562 variant. */
    public static boolean isV7(UUID id) {
        return id.version() == 7 && id.variant() == 2;
    }
}
