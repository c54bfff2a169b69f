package ai.dalsi.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The test parser itself must refuse what Prometheus refuses, or the /metrics tests prove nothing. */
class PrometheusTextTest {

    @Test
    void acceptsAWellFormedExposition() {
        Map<String, PrometheusText.Family> f = PrometheusText.parse("""
                # HELP requests_total Requests.
                # TYPE requests_total counter
                requests_total{code="200",path="/a\\"b"} 3.0
                requests_total{code="500",path="/"} 1
                # TYPE latency_seconds histogram
                latency_seconds_bucket{le="0.1"} 1
                latency_seconds_bucket{le="+Inf"} 2
                latency_seconds_count 2
                latency_seconds_sum 0.35
                up 1 1700000000000
                """);
        assertThat(f).containsKeys("requests_total", "latency_seconds", "up");
        assertThat(f.get("requests_total").samples()).hasSize(2);
        assertThat(f.get("requests_total").samples().get(0).labels()).containsEntry("path", "/a\"b");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "9bad_name 1\n",
            "m{label=unquoted} 1\n",
            "m{bad-label=\"x\"} 1\n",
            "m{l=\"x\\q\"} 1\n",
            "m one\n",
            "m 1",
            "m 1\nm 2\n",
            "a 1\nb 1\na 2\n",
            "m 1\n# TYPE m counter\n",
            "# TYPE m counter\n# TYPE m counter\nm 1\n",
            "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 1\n",
            "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\nh_sum 1\n",
            "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 3\nh_count 2\nh_sum 1\n",
            "# TYPE m gauges\nm 1\n",
    })
    void refusesWhatPrometheusRefuses(String text) {
        assertThatThrownBy(() -> PrometheusText.parse(text)).isInstanceOf(AssertionError.class);
    }
}
