package ai.dalsi.gateway.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The report's status: a degraded check keeps the node ready (200) but says so. */
class ReadinessTest {

    private static HealthCheck check(String name, boolean required, HealthCheck.Result result) {
        return HealthChecks.of(name, required, () -> result);
    }

    @Test
    void aDegradedCheckMakesTheNodeDegradedNotUnready() {
        try (Readiness r = new Readiness(List.of(check("edge", true, HealthCheck.Result.up("bound")),
                check("rate_limits", false, HealthCheck.Result.degraded("Redis unreachable"))), Duration.ofSeconds(2))) {
            Readiness.Report report = r.evaluate();
            assertThat(report.status()).isEqualTo("degraded");
            assertThat(report.ready()).isTrue();
            assertThat(report.checks().get("rate_limits").status()).isEqualTo("degraded");
            assertThat(report.checks().get("rate_limits").detail()).isEqualTo("Redis unreachable");
        }
    }

    @Test
    void aRequiredCheckDownIsStillNotReadyWhateverElseIsDegraded() {
        try (Readiness r = new Readiness(List.of(check("edge", true, HealthCheck.Result.down("not bound")),
                check("rate_limits", false, HealthCheck.Result.degraded("Redis unreachable"))), Duration.ofSeconds(2))) {
            assertThat(r.evaluate().status()).isEqualTo("not_ready");
            assertThat(r.evaluate().ready()).isFalse();
        }
    }

    @Test
    void everythingUpIsReady() {
        try (Readiness r = new Readiness(List.of(check("edge", true, HealthCheck.Result.up("bound")),
                check("database", false, HealthCheck.Result.down("refused"))), Duration.ofSeconds(2))) {
            assertThat(r.evaluate().status()).isEqualTo("ready");
        }
    }
}
