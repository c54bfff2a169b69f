package ai.dalsi.loadtest.report;

import ai.dalsi.loadtest.gen.RequestKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/** Turns histograms (microseconds) into what reports hold: percentile curves and the usual percentiles. */
public final class Curves {

    private Curves() {
    }

    /** [percentile, microseconds] points, denser towards the tail, up to 99.999%. */
    public static List<double[]> percentiles(Histogram h) {
        List<double[]> out = new ArrayList<>();
        if (h.getTotalCount() == 0) {
            return out;
        }
        for (HistogramIterationValue v : h.percentiles(5)) {
            double p = v.getPercentileLevelIteratedTo();
            if (p > 99.999) {
                break;
            }
            out.add(new double[] {p, v.getValueIteratedTo()});
        }
        // End the curve at the maximum, never going back along the percentile axis.
        double lastPercentile = out.isEmpty() ? 0 : out.get(out.size() - 1)[0];
        double maxAt = Math.min(99.999, 100 - 100.0 / h.getTotalCount());
        if (maxAt > lastPercentile) {
            out.add(new double[] {maxAt, h.getMaxValue()});
        } else if (!out.isEmpty()) {
            out.get(out.size() - 1)[1] = h.getMaxValue();
        }
        return out;
    }

    /** p50, p90, p99, p99.9 and max, by name. */
    public static Map<String, Long> summary(Histogram h) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (h.getTotalCount() == 0) {
            return out;
        }
        out.put("p50", h.getValueAtPercentile(50));
        out.put("p90", h.getValueAtPercentile(90));
        out.put("p99", h.getValueAtPercentile(99));
        out.put("p99.9", h.getValueAtPercentile(99.9));
        out.put("max", h.getMaxValue());
        return out;
    }

    /** Per request kind, in the order of {@link RequestKind}: {@code count} and the {@link #summary}. */
    public static Map<String, Map<String, Long>> byKind(Map<RequestKind, Histogram> latencyByKind) {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        for (RequestKind k : RequestKind.values()) {
            Histogram h = latencyByKind.get(k);
            if (h != null && h.getTotalCount() > 0) {
                Map<String, Long> row = new LinkedHashMap<>();
                row.put("count", h.getTotalCount());
                row.putAll(summary(h));
                out.put(k.label(), row);
            }
        }
        return out;
    }
}
