package ai.dalsi.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code webhooks} section through the config loader; the secret is never shown. */
class WebhooksSectionTest {

    private static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'k');

    @Test
    void defaultsSendNothingWithoutASecretAndOnlyToPublicHttps() {
        WebhooksConfig w = ConfigLoader.load(null, Map.of()).webhooks();
        assertThat(w.signingEnabled()).isFalse();
        assertThat(w.allowHttp()).isFalse();
        assertThat(w.allowPrivateTargets()).isFalse();
        assertThat(w.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(w.readTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(w.maxAttempts()).isEqualTo(30);
        assertThat(w.retryBackoffMin()).isEqualTo(Duration.ofSeconds(5));
        assertThat(w.retryBackoffMax()).isEqualTo(Duration.ofHours(1));
        assertThat(w.leaseDuration()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void theSecretComesFromTheEnvironmentAndIsNeverPrinted() {
        WebhooksConfig w = ConfigLoader.load(null, Map.of("GATEWAY_WEBHOOKS_SIGNING_SECRET", SECRET,
                "GATEWAY_WEBHOOKS_ALLOW_PRIVATE_TARGETS", "true")).webhooks();
        assertThat(w.signingEnabled()).isTrue();
        assertThat(w.signingKey()).hasSize(32);
        assertThat(w.allowPrivateTargets()).isTrue();
        assertThat(w.toString()).contains("signingSecret=***").doesNotContain(SECRET.substring(6, 20));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "GATEWAY_WEBHOOKS_MAX_ATTEMPTS      | 0      | webhooks.maxAttempts: 0 (expected: 1..100) [from GATEWAY_WEBHOOKS_MAX_ATTEMPTS]",
        "GATEWAY_WEBHOOKS_CONCURRENCY       | 65     | webhooks.concurrency: 65 (expected: 1..64) [from GATEWAY_WEBHOOKS_CONCURRENCY]",
        "GATEWAY_WEBHOOKS_RETRY_BACKOFF_MAX | 1s     | webhooks.retryBackoffMax: 1s (expected: 5s..1d) [from GATEWAY_WEBHOOKS_RETRY_BACKOFF_MAX]",
        "GATEWAY_WEBHOOKS_LEASE_DURATION    | 10s    | webhooks.leaseDuration: 10s (expected: 20s..1h) [from GATEWAY_WEBHOOKS_LEASE_DURATION]",
        "GATEWAY_WEBHOOKS_ALLOW_HTTP        | maybe  | webhooks.allowHttp: \"maybe\" (expected: true or false) [from GATEWAY_WEBHOOKS_ALLOW_HTTP]",
    })
    void invalidValuesNameTheSettingAndTheVariable(String variable, String value, String message) {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(variable, value)))
                .isInstanceOf(ConfigException.class).hasMessage(message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "mysecretvalue-0123456789abcdef      | does not start with whsec_",
        "whsec_%%%%not-base64%%%%            | not base64 after whsec_",
        "whsec_c2hvcnQ=                      | 5 bytes",
    })
    void aBadSecretIsNamedButNotShown(String secret, String problem) {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("GATEWAY_WEBHOOKS_SIGNING_SECRET", secret)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("webhooks.signingSecret: " + problem)
                .hasMessageContaining("expected: whsec_ followed by the base64 of 24 to 64 random bytes")
                .hasMessageNotContaining(secret.substring(Math.min(6, secret.length())));
    }
}
