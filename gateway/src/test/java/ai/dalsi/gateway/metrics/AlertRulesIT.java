package ai.dalsi.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The shipped alert rules ({@code ops/prometheus/alerts.yml}) stay in step with the gateway: every
 * metric an expression reads is exported by a fully bound registry, is Prometheus' own {@code up},
 * or is one of the names documented as coming (and the rule says so). .ci/run checks the syntax and
 * the rules' behaviour with promtool.
 */
@ExtendWith(FreshDatabaseExtension.class)
class AlertRulesIT {

    static final Path ALERTS = Path.of("../ops/prometheus/alerts.yml");
    static final Path README = Path.of("../README.md");

    /** Metrics the rules use under the names they will have once the gateway exports them. */
    static final Set<String> NOT_EXPORTED_YET = Set.of();

    private static final Set<String> PROMQL_WORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
            "on", "ignoring", "group_left", "group_right", "inf", "nan");
    private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern RANGES = Pattern.compile("\\[[^]]*]");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)\\b(\\s*\\()?");

    /** The metric names an expression reads: identifiers that are not functions, keywords or label names. */
    static Set<String> metricNames(String expr) {
        String e = STRINGS.matcher(expr).replaceAll("\"\"");
        e = MATCHERS.matcher(e).replaceAll(" ");
        e = GROUPING.matcher(e).replaceAll(" ");
        e = RANGES.matcher(e).replaceAll(" ");
        Set<String> names = new LinkedHashSet<>();
        Matcher m = IDENTIFIER.matcher(e);
        while (m.find()) {
            if (m.group(2) == null && !PROMQL_WORDS.contains(m.group(1).toLowerCase())) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    @Test
    void theExtractorFindsMetricsAndNothingElse() {
        assertThat(metricNames("sum by (instance) (rate(gateway_requests_total{status=~\"5..\"}[5m]))"
                + " / sum(rate(gateway_requests_total[5m])) > 0.05 and on(instance) up{job=\"x\"} == 1"
                + " or histogram_quantile(0.99, sum by (le) (rate(metering_flush_duration_seconds_bucket[5m])))"))
                .containsExactly("gateway_requests_total", "up", "metering_flush_duration_seconds_bucket");
    }

    @Test
    void everyRuleReadsOnlyMetricsTheGatewayExportsOrDocumentsAsComing(TestDatabase db) throws IOException {
        Set<String> exported = OpsFilesIT.exportedSeriesNames(db);
        JsonNode file = new YAMLMapper().readTree(ALERTS.toFile());
        Set<String> alerts = new TreeSet<>();
        Set<String> unknown = new TreeSet<>();
        Set<String> used = new TreeSet<>();
        for (JsonNode group : file.get("groups")) {
            for (JsonNode rule : group.get("rules")) {
                String name = rule.get("alert").asText();
                assertThat(alerts.add(name)).as("unique alert name %s", name).isTrue();
                assertThat(rule.path("labels").path("severity").asText()).as(name).isIn("critical", "warning", "info");
                assertThat(rule.path("annotations").path("summary").asText()).as(name).isNotBlank();
                assertThat(rule.path("annotations").path("description").asText()).as(name).isNotBlank();
                for (String metric : metricNames(rule.get("expr").asText())) {
                    used.add(metric);
                    if (NOT_EXPORTED_YET.contains(metric)) {
                        assertThat(rule.path("annotations").path("not_exported_yet").asText())
                                .as("%s says that %s is not exported yet", name, metric)
                                .contains(metric + " is not exported yet");
                    } else if (!exported.contains(metric) && !metric.equals("up")) {
                        unknown.add(metric + " (alert " + name + ")");
                    }
                }
            }
        }
        assertThat(unknown).as("read by an alert rule but neither exported nor documented").isEmpty();
        assertThat(alerts).as("the alerts operations asked for").contains("MeteringLagHigh",
                "MeteringJournalNearFull", "MeteringWriterErrors", "High5xxRatio", "BackendCircuitOpen",
                "RateLimitRedisFallback", "WebhookDeliveriesFailing", "GatewayNotReady");
        assertThat(used).containsAll(NOT_EXPORTED_YET).contains("gateway_ready", "gateway_webhook_attempts_total");
        String readme = Files.readString(README);
        for (String coming : NOT_EXPORTED_YET) {
            assertThat(readme).as("the README documents %s", coming).contains(coming);
            assertThat(exported).as("%s is exported now: drop it from NOT_EXPORTED_YET and the rule's note", coming)
                    .doesNotContain(coming);
        }
    }
}
