package ai.dalsi.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code ratelimit} section: local limits by default, Redis when a URL is set; passwords never shown. */
class RateLimitSectionTest {

    @Test
    void withoutAUrlLimitsStayInTheNodesMemory() {
        RateLimitConfig r = ConfigLoader.load(null, Map.of()).ratelimit();
        assertThat(r.shared()).isFalse();
        assertThat(r.redisTimeout()).isEqualTo(Duration.ofMillis(5));
        assertThat(r.redisKeyPrefix()).isEqualTo("gateway:");
        assertThat(r.redisProbeInterval()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void theUrlComesFromItsEnvironmentVariableAndItsPasswordIsNeverPrinted() {
        RateLimitConfig r = ConfigLoader.load(null, Map.of("GATEWAY_RATELIMIT_REDIS_URL",
                "redis://:s3cret-pass@10.0.0.5:6379/2", "GATEWAY_RATELIMIT_REDIS_TIMEOUT", "20ms",
                "GATEWAY_RATELIMIT_REDIS_KEY_PREFIX", "prod:")).ratelimit();
        assertThat(r.shared()).isTrue();
        assertThat(r.cluster()).isFalse();
        assertThat(r.redisTimeout()).isEqualTo(Duration.ofMillis(20));
        assertThat(r.redisKeyPrefix()).isEqualTo("prod:");
        assertThat(r.toString()).contains("redis://***@10.0.0.5:6379/2").doesNotContain("s3cret");
        assertThat(r.maskedUrl()).doesNotContain("s3cret");
    }

    @Test
    void sentinelAndClusterUrlsAreAccepted() {
        assertThat(ConfigLoader.load(null, Map.of("GATEWAY_RATELIMIT_REDIS_URL",
                "redis-sentinel://127.0.0.1:26379,127.0.0.1:26380#mymaster")).ratelimit().cluster()).isFalse();
        assertThat(ConfigLoader.load(null, Map.of("GATEWAY_RATELIMIT_REDIS_URL",
                "redis-cluster://127.0.0.1:7000,127.0.0.1:7001")).ratelimit().cluster()).isTrue();
    }

    @Test
    void aMisspeltVariableIsRefused() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("GATEWAY_RATELIMIT_REDIS_URI", "redis://x:1")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown environment variable: GATEWAY_RATELIMIT_REDIS_URI")
                .hasMessageContaining("GATEWAY_RATELIMIT_REDIS_URL");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "GATEWAY_RATELIMIT_REDIS_TIMEOUT        | 20s        | ratelimit.redisTimeout: 20s (expected: 1ms..10s) [from GATEWAY_RATELIMIT_REDIS_TIMEOUT]",
        "GATEWAY_RATELIMIT_REDIS_PROBE_INTERVAL | 10ms       | ratelimit.redisProbeInterval: 10ms (expected: 50ms..1m) [from GATEWAY_RATELIMIT_REDIS_PROBE_INTERVAL]",
        "GATEWAY_RATELIMIT_REDIS_URL            | http://x:1 | ratelimit.redisUrl: not a Redis URI (expected: redis://host:port, rediss://, redis-sentinel://host:port#master or redis-cluster://host:port,host:port) [from GATEWAY_RATELIMIT_REDIS_URL]",
    })
    void invalidValuesNameTheSettingAndTheVariable(String variable, String value, String message) {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(variable, value)))
                .isInstanceOf(ConfigException.class).hasMessage(message);
    }
}
