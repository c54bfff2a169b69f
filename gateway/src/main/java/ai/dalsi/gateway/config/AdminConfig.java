package ai.dalsi.gateway.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The admin port: admin API, {@code /metrics} and {@code /health}. Validated on construction;
 * every error names the setting ({@code admin.port: 70000 (expected: 0..65535)}).
 *
 * @param host               address to bind; {@code 127.0.0.1} unless the operator opens it up
 * @param port               TCP port; 0 picks a free one (tests)
 * @param token              bearer token that counts as super_admin, or null to disable token
 *                           authentication; never printed (see {@link #toString()})
 * @param workerThreads      threads doing admin work (JDBC, bcrypt) off the event loop
 * @param maxRequestBytes    largest request body accepted
 * @param sweepInterval      how often the expiry sweep revokes expired keys
 * @param metricsRequireAuth whether {@code GET /metrics} needs admin credentials
 * @param readinessTimeout   how long {@code /health/ready} waits for one check
 */
public record AdminConfig(
        String host,
        int port,
        String token,
        int workerThreads,
        int maxRequestBytes,
        Duration sweepInterval,
        boolean metricsRequireAuth,
        Duration readinessTimeout) {

    /** Shortest bootstrap token accepted: anything shorter is guessable. */
    public static final int MIN_TOKEN_LENGTH = 16;

    public AdminConfig {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("admin.host: missing (expected: an address to bind, e.g. 127.0.0.1)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("admin.port: " + port + " (expected: 0..65535)");
        }
        if (token != null && token.isBlank()) {
            token = null;
        }
        if (token != null && token.length() < MIN_TOKEN_LENGTH) {
            throw new IllegalArgumentException("admin.token: too short, " + token.length()
                    + " characters (expected: at least " + MIN_TOKEN_LENGTH + ")");
        }
        if (workerThreads < 1 || workerThreads > 256) {
            throw new IllegalArgumentException("admin.workerThreads: " + workerThreads + " (expected: 1..256)");
        }
        if (maxRequestBytes < 1024 || maxRequestBytes > 16 * 1024 * 1024) {
            throw new IllegalArgumentException("admin.maxRequestBytes: " + maxRequestBytes
                    + " (expected: 1024..16777216)");
        }
        Objects.requireNonNull(sweepInterval, "admin.sweepInterval: missing");
        if (sweepInterval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("admin.sweepInterval: " + Durations.format(sweepInterval)
                    + " (expected: >= 1s)");
        }
        Objects.requireNonNull(readinessTimeout, "admin.readinessTimeout: missing");
        if (readinessTimeout.compareTo(Duration.ofMillis(100)) < 0
                || readinessTimeout.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("admin.readinessTimeout: " + Durations.format(readinessTimeout)
                    + " (expected: 100ms..1m)");
        }
    }

    /** The defaults of {@code gateway-defaults.yaml} on the given port, without a token (tests, tools). */
    public static AdminConfig onPort(int port) {
        return new AdminConfig("127.0.0.1", port, null, 4, 1024 * 1024, Duration.ofSeconds(60), false,
                Duration.ofSeconds(2));
    }

    /** The same settings with a bootstrap token. */
    public AdminConfig withToken(String newToken) {
        return new AdminConfig(host, port, newToken, workerThreads, maxRequestBytes, sweepInterval,
                metricsRequireAuth, readinessTimeout);
    }

    /** The same settings with {@link #metricsRequireAuth} changed. */
    public AdminConfig withMetricsRequireAuth(boolean required) {
        return new AdminConfig(host, port, token, workerThreads, maxRequestBytes, sweepInterval, required,
                readinessTimeout);
    }

    /** Whether a bootstrap token is configured. */
    public boolean tokenEnabled() {
        return token != null;
    }

    /** Safe to log: the token is shown only as set or not. */
    @Override
    public String toString() {
        return "AdminConfig[host=" + host + ", port=" + port + ", token=" + (token == null ? "unset" : "***")
                + ", workerThreads=" + workerThreads + ", maxRequestBytes=" + maxRequestBytes
                + ", sweepInterval=" + Durations.format(sweepInterval) + ", metricsRequireAuth=" + metricsRequireAuth
                + ", readinessTimeout=" + Durations.format(readinessTimeout) + "]";
    }
}
