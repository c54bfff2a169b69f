package ai.dalsi.gateway.metrics;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** Test access to the strict Prometheus text parser from other packages. */
public final class MetricsScrapes {

    private MetricsScrapes() {
    }

    /** The metric family names in a scrape; fails the test if the text is not valid exposition. */
    public static Set<String> familyNames(String scrape) {
        return PrometheusText.parse(scrape).keySet();
    }

    /** Every sample's labels, by metric family; fails the test if the text is not valid exposition. */
    public static Map<String, List<Map<String, String>>> labelsByFamily(String scrape) {
        Map<String, List<Map<String, String>>> out = new java.util.TreeMap<>();
        PrometheusText.parse(scrape).forEach((name, family) ->
                out.put(name, family.samples().stream().map(PrometheusText.Sample::labels).toList()));
        return out;
    }

    /** The value of the sample with this name and these labels (among others), or null. */
    public static Double value(String scrape, String sample, Map<String, String> labels) {
        for (PrometheusText.Family f : PrometheusText.parse(scrape).values()) {
            for (PrometheusText.Sample s : f.samples()) {
                if (s.name().equals(sample) && s.labels().entrySet().containsAll(labels.entrySet())) {
                    return s.value();
                }
            }
        }
        return null;
    }
}
