package ai.dalsi.gateway.admin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The admin port's own meters, so that what it refuses cheaply (without a log line each) is
 * still seen: {@code gateway_admin_logins_total{outcome}} for HTTP Basic logins ({@code accepted}
 * and {@code refused} after a password check, {@code remembered} without one, {@code throttled}
 * by the failed-login budgets, {@code busy} when the password threads were full) and
 * {@code gateway_admin_refusals_total{reason}} for requests refused before authentication
 * ({@code cross_site}, {@code media_type}).
 */
final class AdminMetrics {

    private final MeterRegistry registry;
    private final Map<String, Counter> logins = new ConcurrentHashMap<>();
    private final Map<String, Counter> refusals = new ConcurrentHashMap<>();

    AdminMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (String outcome : new String[] {"accepted", "refused", "remembered", "throttled", "busy"}) {
            login(outcome, 0);
        }
        for (String reason : new String[] {"cross_site", "media_type"}) {
            refused(reason, 0);
        }
    }

    void login(String outcome) {
        login(outcome, 1);
    }

    void refused(String reason) {
        refused(reason, 1);
    }

    private void login(String outcome, int n) {
        logins.computeIfAbsent(outcome, o -> Counter.builder("gateway_admin_logins")
                .description("HTTP Basic logins on the admin port, by outcome")
                .tag("outcome", o).register(registry)).increment(n);
    }

    private void refused(String reason, int n) {
        refusals.computeIfAbsent(reason, r -> Counter.builder("gateway_admin_refusals")
                .description("Admin requests refused before authentication, by reason")
                .tag("reason", r).register(registry)).increment(n);
    }
}
