package ai.dalsi.loadtest.cli;

import ai.dalsi.loadtest.gen.KeyClass;
import ai.dalsi.loadtest.gen.LoadSpec;
import ai.dalsi.loadtest.gen.RunResult;
import ai.dalsi.loadtest.gen.StatusClass;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** The plain-text summary {@code run} prints at the end. Shows key prefixes only, never keys. */
public final class Summary {

    private Summary() {
    }

    public static String of(RunResult r, boolean perKey) {
        LoadSpec s = r.spec();
        StringBuilder b = new StringBuilder();
        String pacing = s.mode() == LoadSpec.Mode.OPEN
                ? String.format(Locale.ROOT, "open loop at %.0f req/s", s.rate())
                : "closed loop (max throughput)";
        b.append(String.format(Locale.ROOT, "target      %s  (%s, %d connections, %s, mix %s)%n",
                s.baseUrl(), pacing, s.connections(), seconds(s.duration().toMillis()), s.mix()));
        b.append(String.format(Locale.ROOT, "requests    sent %d  answered %d  failed %d  unfinished %d%s%n",
                r.sent(), r.completed(), r.failed(), r.unfinished(),
                r.incompleteStreams() > 0 ? "  streams without [DONE] " + r.incompleteStreams() : ""));
        b.append(String.format(Locale.ROOT, "throughput  %.1f req/s over %s%n", r.throughput(),
                seconds(r.elapsed().toMillis())));
        String behind = fellBehind(r);
        if (behind != null) {
            b.append("warning     ").append(behind).append('\n');
        }
        if (r.unfinished() > 0) {
            b.append(String.format(Locale.ROOT, "unfinished  %d request(s) were due but had no answer when --drain (%s)"
                    + " ended the run: still waiting for a free connection, or sent and not answered; they count"
                    + " as errors and are not in the latencies%n", r.unfinished(), seconds(s.drainTimeout().toMillis())));
        }
        b.append("latency     ").append(percentiles(r.latency()))
                .append(s.mode() == LoadSpec.Mode.OPEN ? "   (from intended send time)" : "").append('\n');
        if (s.mode() == LoadSpec.Mode.OPEN) {
            b.append("service     ").append(percentiles(r.serviceTime())).append("   (from actual send time, uncorrected)\n");
        }
        if (r.timeToFirstByte().getTotalCount() > 0) {
            b.append("first event ").append(percentiles(r.timeToFirstByte())).append("   (streams)\n");
        }
        b.append("status     ");
        for (Map.Entry<Integer, Long> e : r.byStatus().entrySet()) {
            b.append(' ').append(e.getKey() == 0 ? "none" : e.getKey()).append(": ").append(e.getValue());
        }
        b.append('\n');
        for (Map.Entry<KeyClass, long[]> e : r.byKeyClass().entrySet()) {
            long[] c = e.getValue();
            long total = 0;
            for (long v : c) {
                total += v;
            }
            if (total == 0) {
                continue;
            }
            b.append(String.format(Locale.ROOT, "keys        %-10s %s%n", e.getKey().label(), classes(c)));
        }
        if (perKey) {
            for (int k = 0; k < r.perKey().length; k++) {
                if (!s.keys().classOf(k).registered()) {
                    continue;
                }
                b.append(String.format(Locale.ROOT, "key         %s... %-10s %s%n", s.keys().displayPrefix(k),
                        s.keys().classOf(k).label(), classes(r.perKey()[k])));
            }
        }
        return b.toString();
    }

    /**
     * In open loop, whether the generator fell behind its rate, and why; null when it kept up. Every
     * connection carries one request at a time, so a request due while all are busy waits: the
     * latency from the intended send time minus the one from the actual send time is that wait.
     */
    static String fellBehind(RunResult r) {
        LoadSpec s = r.spec();
        if (s.mode() != LoadSpec.Mode.OPEN || r.latency().getTotalCount() == 0 && r.unfinished() == 0) {
            return null;
        }
        double serviceMs = r.serviceTime().getTotalCount() == 0 ? 0 : r.serviceTime().getMean() / 1000.0;
        double waitMs = r.latency().getTotalCount() == 0 ? 0
                : Math.max(0, r.latency().getMean() - r.serviceTime().getMean()) / 1000.0;
        if (r.unfinished() == 0 && waitMs <= Math.max(1.0, 0.1 * serviceMs)) {
            return null;
        }
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "fell behind its rate of %.0f req/s: requests"
                + " waited %.1f ms on average for a free connection before they were sent", s.rate(), waitMs));
        double capacity = serviceMs > 0 ? s.connections() * 1000.0 / serviceMs : Double.POSITIVE_INFINITY;
        if (capacity < s.rate()) {
            long needed = (long) Math.ceil(s.rate() * serviceMs / 1000.0 * 1.25);
            b.append(String.format(Locale.ROOT, "; %d connection(s), each carrying one request at a time, carry at"
                    + " most about %.0f req/s at the %.1f ms mean latency seen (connections / latency): use"
                    + " --connections %d or more, or a lower --rate", s.connections(), capacity, serviceMs, needed));
        } else {
            b.append("; the connections could carry the rate at the latency seen, so the generator itself could not"
                    + " keep up (a busy CPU?): try --threads 2 or a lower --rate");
        }
        return b.toString();
    }

    private static String classes(long[] c) {
        StringBuilder b = new StringBuilder();
        for (StatusClass sc : StatusClass.values()) {
            b.append(sc == StatusClass.OTHER ? "no answer" : sc.label()).append(' ').append(c[sc.ordinal()]).append("  ");
        }
        return b.toString().trim();
    }

    static String percentiles(Histogram h) {
        if (h.getTotalCount() == 0) {
            return "(none)";
        }
        return "p50 " + micros(h.getValueAtPercentile(50)) + "  p90 " + micros(h.getValueAtPercentile(90))
                + "  p99 " + micros(h.getValueAtPercentile(99)) + "  p99.9 " + micros(h.getValueAtPercentile(99.9))
                + "  max " + micros(h.getMaxValue());
    }

    /** A latency in microseconds, shown in the unit that reads best. */
    public static String micros(long us) {
        if (us < 1000) {
            return us + " us";
        }
        if (us < 1_000_000) {
            return String.format(Locale.ROOT, "%.2f ms", us / 1000.0);
        }
        return String.format(Locale.ROOT, "%.2f s", us / 1e6);
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
}
