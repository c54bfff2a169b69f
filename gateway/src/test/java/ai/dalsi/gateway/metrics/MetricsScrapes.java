package ai.dalsi.gateway.metrics;

import java.util.Set;

/** Test access to the strict Prometheus text parser from other packages. */
public final class MetricsScrapes {

    private MetricsScrapes() {
    }

    /** The metric family names in a scrape; fails the test if the text is not valid exposition. */
    public static Set<String> familyNames(String scrape) {
        return PrometheusText.parse(scrape).keySet();
    }
}
