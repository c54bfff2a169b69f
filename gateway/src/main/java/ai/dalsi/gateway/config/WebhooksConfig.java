package ai.dalsi.gateway.config;

import java.time.Duration;
import java.util.Base64;
import java.util.Objects;

/**
 * Webhooks: how events from the outbox are signed and delivered. Validated on construction; every
 * error names the setting ({@code webhooks.maxAttempts: 0 (expected: 1..100)}) and never shows the
 * signing secret.
 *
 * @param signingSecret       the deployment's signing secret, {@code whsec_} and the base64 of 24 to
 *                            64 random bytes (the Standard Webhooks format); null leaves events in the
 *                            outbox, unsent, until one is set. Never printed (see {@link #toString()})
 * @param allowHttp           whether {@code http://} webhook URLs are accepted (otherwise https only)
 * @param allowPrivateTargets whether loopback, private, link-local, metadata and other non-public
 *                            addresses may be called (tests, demos, an internal receiver)
 * @param connectTimeout      TCP (and TLS) connect to a receiver
 * @param readTimeout         from the request sent to the response's status line
 * @param maxAttempts         attempts before an event is marked failed
 * @param retryBackoffMin     wait after the first failed attempt; doubles after each failure
 * @param retryBackoffMax     longest wait between attempts
 * @param concurrency         deliveries in flight at once on this node
 * @param pollInterval        how often this node looks for due events
 * @param leaseDuration       how long a claimed event stays with this node: a node that dies
 *                            mid-delivery delays the event by at most this much
 */
public record WebhooksConfig(
        String signingSecret,
        boolean allowHttp,
        boolean allowPrivateTargets,
        Duration connectTimeout,
        Duration readTimeout,
        int maxAttempts,
        Duration retryBackoffMin,
        Duration retryBackoffMax,
        int concurrency,
        Duration pollInterval,
        Duration leaseDuration) {

    /** The Standard Webhooks secret prefix. */
    public static final String SECRET_PREFIX = "whsec_";

    public WebhooksConfig {
        if (signingSecret != null && signingSecret.isBlank()) {
            signingSecret = null;
        }
        if (signingSecret != null) {
            decode(signingSecret);
        }
        within("connectTimeout", connectTimeout, Duration.ofMillis(100), Duration.ofMinutes(1));
        within("readTimeout", readTimeout, Duration.ofMillis(100), Duration.ofMinutes(5));
        if (maxAttempts < 1 || maxAttempts > 100) {
            throw new IllegalArgumentException("webhooks.maxAttempts: " + maxAttempts + " (expected: 1..100)");
        }
        within("retryBackoffMin", retryBackoffMin, Duration.ofMillis(10), Duration.ofDays(1));
        within("retryBackoffMax", retryBackoffMax, retryBackoffMin, Duration.ofDays(1));
        if (concurrency < 1 || concurrency > 64) {
            throw new IllegalArgumentException("webhooks.concurrency: " + concurrency + " (expected: 1..64)");
        }
        within("pollInterval", pollInterval, Duration.ofMillis(10), Duration.ofMinutes(1));
        Duration leastLease = connectTimeout.plus(readTimeout).plusSeconds(5);
        within("leaseDuration", leaseDuration, leastLease, Duration.ofHours(1));
    }

    private static void within(String name, Duration value, Duration min, Duration max) {
        Objects.requireNonNull(value, "webhooks." + name + ": missing");
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException("webhooks." + name + ": " + Durations.format(value) + " (expected: "
                    + Durations.format(min) + ".." + Durations.format(max) + ")");
        }
    }

    private static byte[] decode(String secret) {
        String expected = " (expected: " + SECRET_PREFIX + " followed by the base64 of 24 to 64 random bytes, e.g. "
                + SECRET_PREFIX + "$(openssl rand -base64 32))";
        if (!secret.startsWith(SECRET_PREFIX)) {
            throw new IllegalArgumentException("webhooks.signingSecret: does not start with " + SECRET_PREFIX
                    + expected);
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()).strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("webhooks.signingSecret: not base64 after " + SECRET_PREFIX + expected);
        }
        if (key.length < 24 || key.length > 64) {
            throw new IllegalArgumentException("webhooks.signingSecret: " + key.length + " bytes" + expected);
        }
        return key;
    }

    /** Whether a signing secret is set (without one, nothing is sent). */
    public boolean signingEnabled() {
        return signingSecret != null;
    }

    /** The HMAC key: the secret's bytes after {@code whsec_}. */
    public byte[] signingKey() {
        if (signingSecret == null) {
            throw new IllegalStateException("webhooks.signingSecret is not set");
        }
        return decode(signingSecret);
    }

    /** The same settings with another secret (the demo generates one). */
    public WebhooksConfig withSigningSecret(String secret) {
        return new WebhooksConfig(secret, allowHttp, allowPrivateTargets, connectTimeout, readTimeout, maxAttempts,
                retryBackoffMin, retryBackoffMax, concurrency, pollInterval, leaseDuration);
    }

    /** The same settings calling any address over http or https (a demo's receiver on this machine). */
    public WebhooksConfig allowingLocalTargets() {
        return new WebhooksConfig(signingSecret, true, true, connectTimeout, readTimeout, maxAttempts,
                retryBackoffMin, retryBackoffMax, concurrency, pollInterval, leaseDuration);
    }

    /** Safe to log: the secret is shown only as set or not. */
    @Override
    public String toString() {
        return "WebhooksConfig[signingSecret=" + (signingSecret == null ? "unset" : "***") + ", allowHttp=" + allowHttp
                + ", allowPrivateTargets=" + allowPrivateTargets + ", connectTimeout="
                + Durations.format(connectTimeout) + ", readTimeout=" + Durations.format(readTimeout)
                + ", maxAttempts=" + maxAttempts + ", retryBackoffMin=" + Durations.format(retryBackoffMin)
                + ", retryBackoffMax=" + Durations.format(retryBackoffMax) + ", concurrency=" + concurrency
                + ", pollInterval=" + Durations.format(pollInterval) + ", leaseDuration="
                + Durations.format(leaseDuration) + "]";
    }
}
