package ai.dalsi.gateway.testing;

import java.time.Instant;
import java.util.List;

/**
 * What a test key looks like; start from {@link #chat()} or {@link #scopes} and change what the
 * test is about.
 */
public record KeySpec(
        List<String> scopes,
        String tier,
        int perMinute,
        int perHour,
        int perDay,
        String environment,
        List<String> allowedIps,
        Instant expiresAt,
        boolean internal) {

    /** A free production key with every scope and generous limits. */
    public static KeySpec chat() {
        return new KeySpec(List.of("ai.chat", "ai.code", "ai.image"), "free", 1000, 10_000, 100_000, "production",
                null, null, false);
    }

    public static KeySpec scopes(String... scopes) {
        return chat().withScopes(scopes);
    }

    public KeySpec withScopes(String... v) {
        return new KeySpec(List.of(v), tier, perMinute, perHour, perDay, environment, allowedIps, expiresAt, internal);
    }

    public KeySpec withTier(String v) {
        return new KeySpec(scopes, v, perMinute, perHour, perDay, environment, allowedIps, expiresAt, internal);
    }

    public KeySpec withLimits(int minute, int hour, int day) {
        return new KeySpec(scopes, tier, minute, hour, day, environment, allowedIps, expiresAt, internal);
    }

    public KeySpec withEnvironment(String v) {
        return new KeySpec(scopes, tier, perMinute, perHour, perDay, v, allowedIps, expiresAt, internal);
    }

    public KeySpec withAllowedIps(String... v) {
        return new KeySpec(scopes, tier, perMinute, perHour, perDay, environment, List.of(v), expiresAt, internal);
    }

    public KeySpec withExpiresAt(Instant v) {
        return new KeySpec(scopes, tier, perMinute, perHour, perDay, environment, allowedIps, v, internal);
    }

    public KeySpec withInternal(boolean v) {
        return new KeySpec(scopes, tier, perMinute, perHour, perDay, environment, allowedIps, expiresAt, v);
    }
}
