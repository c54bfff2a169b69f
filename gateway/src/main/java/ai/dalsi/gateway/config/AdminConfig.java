package ai.dalsi.gateway.config;

import ai.dalsi.gateway.error.Echo;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The admin port: admin API, {@code /metrics} and {@code /health}. Validated on construction;
 * every error names the setting ({@code admin.port: 70000 (expected: 0..65535)}).
 *
 * @param host               address to bind; {@code 127.0.0.1} unless the operator opens it up
 * @param port               TCP port; 0 picks a free one (tests)
 * @param token              bearer token that counts as super_admin, or null to disable token
 *                           authentication; never printed (see {@link #toString()})
 * @param workerThreads      threads doing admin work (JDBC) off the event loop; passwords are checked apart
 * @param maxRequestBytes    largest request body accepted
 * @param sweepInterval      how often the expiry sweep revokes expired keys
 * @param metricsRequireAuth whether {@code GET /metrics} needs admin credentials
 * @param readinessTimeout   how long {@code /health/ready} waits for one check
 * @param allowedOrigins     origins besides the admin port's own whose browser pages may make
 *                           state-changing requests ({@code https://ops.example.com}); empty: none
 * @param login              how HTTP Basic passwords are checked and failed logins limited
 */
public record AdminConfig(
        String host,
        int port,
        String token,
        int workerThreads,
        int maxRequestBytes,
        Duration sweepInterval,
        boolean metricsRequireAuth,
        Duration readinessTimeout,
        List<String> allowedOrigins,
        AdminLoginConfig login) {

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
        allowedOrigins = origins(allowedOrigins);
        Objects.requireNonNull(login, "admin.login: missing");
    }

    /** Each entry an origin ({@code scheme://host[:port]}, nothing after), lower-cased. */
    private static List<String> origins(List<String> given) {
        List<String> out = new ArrayList<>();
        if (given == null) {
            return List.of();
        }
        for (int i = 0; i < given.size(); i++) {
            String o = given.get(i) == null ? "" : given.get(i).strip().toLowerCase(Locale.ROOT);
            if (!isOrigin(o)) {
                throw new IllegalArgumentException("admin.allowedOrigins[" + i + "]: " + Echo.text(o)
                        + " (expected: an origin such as https://ops.example.com, without a path)");
            }
            out.add(o);
        }
        return List.copyOf(out);
    }

    private static boolean isOrigin(String o) {
        try {
            URI uri = new URI(o);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && uri.getRawPath().isEmpty() && uri.getRawQuery() == null && uri.getRawFragment() == null
                    && uri.getRawUserInfo() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** The defaults of {@code gateway-defaults.yaml} on the given port, without a token (tests, tools). */
    public static AdminConfig onPort(int port) {
        return new AdminConfig("127.0.0.1", port, null, 4, 1024 * 1024, Duration.ofSeconds(60), false,
                Duration.ofSeconds(2), List.of(), AdminLoginConfig.defaults());
    }

    /** The same settings with a bootstrap token. */
    public AdminConfig withToken(String newToken) {
        return new AdminConfig(host, port, newToken, workerThreads, maxRequestBytes, sweepInterval,
                metricsRequireAuth, readinessTimeout, allowedOrigins, login);
    }

    /** The same settings with {@link #metricsRequireAuth} changed. */
    public AdminConfig withMetricsRequireAuth(boolean required) {
        return new AdminConfig(host, port, token, workerThreads, maxRequestBytes, sweepInterval, required,
                readinessTimeout, allowedOrigins, login);
    }

    /** The same settings with other origins allowed. */
    public AdminConfig withAllowedOrigins(List<String> origins) {
        return new AdminConfig(host, port, token, workerThreads, maxRequestBytes, sweepInterval, metricsRequireAuth,
                readinessTimeout, origins, login);
    }

    /** The same settings with other login limits. */
    public AdminConfig withLogin(AdminLoginConfig newLogin) {
        return new AdminConfig(host, port, token, workerThreads, maxRequestBytes, sweepInterval, metricsRequireAuth,
                readinessTimeout, allowedOrigins, newLogin);
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
                + ", readinessTimeout=" + Durations.format(readinessTimeout) + ", allowedOrigins=" + allowedOrigins
                + ", login=" + login + "]";
    }
}
