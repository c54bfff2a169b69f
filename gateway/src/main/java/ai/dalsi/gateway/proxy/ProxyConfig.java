package ai.dalsi.gateway.proxy;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How the proxy talks to backends: its four timeouts, the pool of idle keep-alive connections, how
 * much of a plain (non-stream) response body it reads to find the usage, retries, the circuit
 * breakers and TLS. Validated on construction; a bad value names its setting, e.g.
 * {@code "proxy.connectTimeout: 0s (expected: > 0)"}.
 *
 * @param connectTimeout        TCP connect to the backend (exceeded: 504)
 * @param firstByteTimeout      from the request sent to the response headers; a non-stream completion only
 *                              answers once the whole text is generated, so this is minutes, not seconds
 *                              (exceeded: 504)
 * @param idleTimeout           longest silence of the backend while the proxy waits for more of the response
 *                              (exceeded before headers: covered by firstByteTimeout; after: the client
 *                              connection is closed). Time spent waiting on a slow client does not count.
 * @param totalTimeout          the whole exchange, from forward to the backend's last byte
 * @param maxIdleConnections    idle keep-alive connections kept per event loop and backend; 0 disables pooling
 * @param idleConnectionTimeout an idle pooled connection older than this is closed; keep it below the
 *                              backend's own keep-alive timeout (uvicorn, under vLLM, closes after 5 s) so the
 *                              gateway never sends a request on a connection the backend is closing
 * @param usageScanLimitBytes   plain response bodies longer than this are forwarded without reading their
 *                              usage (reported as none); large enough for base64 images
 * @param maxAttempts           backends one request may try (1 = no retry); a retry goes to another backend of
 *                              the model, only before the client saw a byte, within {@code totalTimeout}
 * @param circuitFailureThreshold consecutive failures of a backend that open its circuit
 * @param circuitOpenDuration   how long an open circuit refuses requests before one probe may go through
 * @param trustedCaFile         PEM file of CA certificates trusted for https backends besides the JDK's, or null
 */
public record ProxyConfig(
        Duration connectTimeout,
        Duration firstByteTimeout,
        Duration idleTimeout,
        Duration totalTimeout,
        int maxIdleConnections,
        Duration idleConnectionTimeout,
        int usageScanLimitBytes,
        int maxAttempts,
        int circuitFailureThreshold,
        Duration circuitOpenDuration,
        Path trustedCaFile) {

    /** Most attempts a request may make. */
    public static final int MAX_ATTEMPTS = 10;

    /** Defaults suited to LLM backends on a local network. */
    public static final ProxyConfig DEFAULTS = new ProxyConfig(
            Duration.ofSeconds(5),
            Duration.ofMinutes(5),
            Duration.ofMinutes(2),
            Duration.ofMinutes(10),
            64,
            Duration.ofSeconds(4),
            16 << 20,
            3,
            5,
            Duration.ofSeconds(30),
            null);

    /** Timeouts, pool and scan limit, with the default retries and circuit breakers and no extra CA. */
    public ProxyConfig(Duration connectTimeout, Duration firstByteTimeout, Duration idleTimeout, Duration totalTimeout,
            int maxIdleConnections, Duration idleConnectionTimeout, int usageScanLimitBytes) {
        this(connectTimeout, firstByteTimeout, idleTimeout, totalTimeout, maxIdleConnections, idleConnectionTimeout,
                usageScanLimitBytes, 3, 5, Duration.ofSeconds(30), null);
    }

    public ProxyConfig {
        positive("proxy.connectTimeout", connectTimeout);
        if (connectTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("proxy.connectTimeout: " + format(connectTimeout) + " (expected: <= 24d)");
        }
        positive("proxy.firstByteTimeout", firstByteTimeout);
        positive("proxy.idleTimeout", idleTimeout);
        positive("proxy.totalTimeout", totalTimeout);
        if (maxIdleConnections < 0) {
            throw new IllegalArgumentException("proxy.maxIdleConnections: " + maxIdleConnections + " (expected: >= 0)");
        }
        positive("proxy.idleConnectionTimeout", idleConnectionTimeout);
        if (usageScanLimitBytes <= 0) {
            throw new IllegalArgumentException("proxy.usageScanLimitBytes: " + usageScanLimitBytes + " (expected: > 0)");
        }
        if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS) {
            throw new IllegalArgumentException("proxy.maxAttempts: " + maxAttempts + " (expected: 1.." + MAX_ATTEMPTS + ")");
        }
        if (circuitFailureThreshold < 1 || circuitFailureThreshold > 1000) {
            throw new IllegalArgumentException("proxy.circuitFailureThreshold: " + circuitFailureThreshold
                    + " (expected: 1..1000)");
        }
        positive("proxy.circuitOpenDuration", circuitOpenDuration);
        if (trustedCaFile != null && !java.nio.file.Files.isReadable(trustedCaFile)) {
            throw new IllegalArgumentException("proxy.trustedCaFile: " + trustedCaFile
                    + " (expected: a readable PEM file of CA certificates)");
        }
    }

    /** A copy with other timeouts, for tests and config overrides. */
    public ProxyConfig withTimeouts(Duration connect, Duration firstByte, Duration idle, Duration total) {
        return new ProxyConfig(connect, firstByte, idle, total, maxIdleConnections, idleConnectionTimeout,
                usageScanLimitBytes, maxAttempts, circuitFailureThreshold, circuitOpenDuration, trustedCaFile);
    }

    /** A copy with other retry and circuit breaker settings. */
    public ProxyConfig withRetries(int attempts, int failureThreshold, Duration openDuration) {
        return new ProxyConfig(connectTimeout, firstByteTimeout, idleTimeout, totalTimeout, maxIdleConnections,
                idleConnectionTimeout, usageScanLimitBytes, attempts, failureThreshold, openDuration, trustedCaFile);
    }

    /** A copy that trusts the CA certificates in this PEM file too (null: the JDK's alone). */
    public ProxyConfig withTrustedCaFile(Path file) {
        return new ProxyConfig(connectTimeout, firstByteTimeout, idleTimeout, totalTimeout, maxIdleConnections,
                idleConnectionTimeout, usageScanLimitBytes, maxAttempts, circuitFailureThreshold, circuitOpenDuration,
                file);
    }

    private static void positive(String setting, Duration d) {
        if (d == null) {
            throw new IllegalArgumentException(setting + ": missing (expected: a duration > 0)");
        }
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(setting + ": " + format(d) + " (expected: > 0)");
        }
    }

    /** {@code 5s}, {@code 250ms}, {@code 0s}: how people write durations in config. */
    static String format(Duration d) {
        if (d.getNano() == 0) {
            return d.getSeconds() + "s";
        }
        if (d.getNano() % 1_000_000 == 0) {
            return d.toMillis() + "ms";
        }
        return d.toNanos() + "ns";
    }
}
