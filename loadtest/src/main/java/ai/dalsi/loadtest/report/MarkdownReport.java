package ai.dalsi.loadtest.report;

import ai.dalsi.loadtest.report.BenchReport.Arm;
import ai.dalsi.loadtest.report.BenchReport.Ratio;
import ai.dalsi.loadtest.report.BenchReport.Reconciliation;
import ai.dalsi.loadtest.report.BenchReport.SideRound;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Renders {@code report.md}: the tables a reader scans first, then the ratios against targets. */
public final class MarkdownReport {

    private MarkdownReport() {
    }

    public static String render(BenchReport r, List<String> plotFiles) {
        StringBuilder b = new StringBuilder();
        BenchReport.Meta m = r.meta();
        b.append("# Benchmark: ").append(r.arms().stream().map(Arm::name).collect(Collectors.joining(", "))).append("\n\n");
        b.append("- date: ").append(m.date()).append('\n');
        b.append("- machine: ").append(m.host()).append('\n');
        b.append("- java: ").append(m.java()).append('\n');
        b.append("- load: ").append(m.load()).append('\n');
        b.append("- pinning: ").append(m.pinning()).append('\n');
        b.append("- command: `").append(m.command()).append("`\n");
        for (String n : m.notes()) {
            b.append("- ").append(n).append('\n');
        }

        b.append("\n## Throughput and latency\n\n");
        b.append("| arm | req/s | per round | p50 | p90 | p99 | p99.9 | max | answers by status | proxy CPU us/req "
                + "| backend CPU us/req | database CPU us/req | proxy peak RSS | backend peak RSS |\n");
        b.append("|---|---:|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|\n");
        for (Arm a : r.arms()) {
            if (!a.ran()) {
                b.append("| ").append(a.name()).append(" | ").append(a.status()).append(": ").append(cell(a.reason()))
                        .append(" |  |  |  |  |  |  |  |  |  |  |  |  |\n");
                continue;
            }
            b.append("| ").append(a.name())
                    .append(" | ").append(fmt(a.requestsPerSecond(), 0))
                    .append(" | ").append(rates(a.roundRequestsPerSecond()))
                    .append(latencyCells(a.latencyUs()))
                    .append(" | ").append(statuses(a.byStatus()))
                    .append(" | ").append(a.proxyCpuUsPerRequest() == null ? "-" : fmt(a.proxyCpuUsPerRequest(), 1))
                    .append(" | ").append(a.backendCpuUsPerRequest() == null ? "-" : fmt(a.backendCpuUsPerRequest(), 1))
                    .append(" | ").append(a.databaseCpuUsPerRequest() == null ? "-" : fmt(a.databaseCpuUsPerRequest(), 1))
                    .append(" | ").append(mib(a.proxyPeakRssKb()))
                    .append(" | ").append(mib(a.backendPeakRssKb()))
                    .append(" |\n");
        }

        if (r.arms().stream().anyMatch(a -> a.databaseCpuUsPerRequest() != null)) {
            b.append("\nDatabase CPU: every process of this machine's PostgreSQL server during the arm's rounds, per"
                    + " answered request. For a gateway it is the cost of writing its usage ledger, paid by the"
                    + " database server rather than the proxy; nginx and the backend write nothing.\n");
        }
        if (r.arms().stream().anyMatch(a -> a.ran() && !a.latencyByKindUs().isEmpty())) {
            b.append("\n### Latency by request kind\n\n");
            b.append("The main rounds' answers of each kind, from the intended send time to the last byte (a stream's"
                    + " last event).\n\n");
            b.append("| arm | kind | answered | p50 | p90 | p99 | p99.9 | max |\n|---|---|---:|---:|---:|---:|---:|---:|\n");
            for (Arm a : r.arms()) {
                if (!a.ran()) {
                    continue;
                }
                a.latencyByKindUs().forEach((kind, l) -> b.append("| ").append(a.name())
                        .append(" | ").append(kind)
                        .append(" | ").append(l.getOrDefault("count", 0L))
                        .append(latencyCells(l))
                        .append(" |\n"));
            }
        }
        b.append("\n## Latency at one connection\n\n");
        b.append("Closed loop, one connection, same mix: the median is the round trip through each arm. The proxy's"
                + " CPU per answered request is split as the kernel counts it: user is the proxy's own code, system is"
                + " the kernel working for it (system calls, the network stack under its sends). At one connection"
                + " nothing is shared between requests, and the proxy's CPU is on every request's path.\n\n");
        b.append("| arm | req/s | p50 | p50 per round | added p50 vs backend alone | proxy CPU per request, user | system |\n"
                + "|---|---:|---:|---|---:|---:|---:|\n");
        Long backendP50 = r.oneConnection().stream().filter(s -> s.arm().equals(BenchReport.BACKEND))
                .map(SideRound::p50Us).findFirst().orElse(null);
        for (SideRound s : r.oneConnection()) {
            b.append("| ").append(s.arm()).append(" | ").append(fmt(s.requestsPerSecond(), 0)).append(" | ")
                    .append(us(s.p50Us())).append(" | ")
                    .append(s.roundP50Us().stream().map(MarkdownReport::us).collect(Collectors.joining(", "))).append(" | ")
                    .append(backendP50 == null || s.arm().equals(BenchReport.BACKEND) ? "-" : us(s.p50Us() - backendP50))
                    .append(cpuCells(s)).append(" |\n");
        }

        b.append("\n## Reject paths\n\n");
        b.append("Closed loop at max throughput, only bad keys (well-formed, unknown) or only over-limit keys. The arms"
                + " take turns, one side round each, round after round; req/s, p50 and CPU are over all of an arm's"
                + " rounds of the kind.\n\n");
        b.append("| arm | keys | req/s | per round | p50 | answers by status | proxy CPU per request, user | system |\n"
                + "|---|---|---:|---|---:|---|---:|---:|\n");
        for (SideRound s : r.rejectRounds()) {
            b.append("| ").append(s.arm()).append(" | ").append(s.what()).append(" | ")
                    .append(fmt(s.requestsPerSecond(), 0)).append(" | ")
                    .append(rates(s.roundRequestsPerSecond()))
                    .append(" | ").append(us(s.p50Us())).append(" | ")
                    .append(statuses(s.byStatus())).append(cpuCells(s)).append(" |\n");
        }

        b.append("\n## Ratios against the targets\n\n");
        b.append("| ratio | value | target | met |\n|---|---:|---|---|\n");
        for (Ratio q : r.ratios()) {
            String value = q.value() == null ? "n/a (" + cell(q.note()) + ")"
                    : "us".equals(q.unit()) ? fmt(q.value(), 0) + " us" : fmt(q.value(), 2) + "x";
            String met = q.met() == null ? "-" : q.met() ? "yes" : "**no**";
            b.append("| ").append(q.name()).append(" | ").append(value).append(" | ")
                    .append(q.target() == null ? "-" : q.target()).append(" | ").append(met).append(" |\n");
        }

        b.append("\n## Usage reconciliation\n\n");
        if (r.reconciliations().isEmpty()) {
            b.append("Not run: no gateway arm ran.\n");
        }
        for (Map.Entry<String, Reconciliation> arm : r.reconciliations().entrySet()) {
            Reconciliation rec = arm.getValue();
            if (r.reconciliations().size() > 1) {
                b.append("### ").append(arm.getKey()).append("\n\n");
            }
            b.append("**").append(rec.passed() ? "PASS" : "FAIL").append("**: ").append(rec.drain()).append("\n\n");
            b.append("| status class | answered (generator) | ledger (rows + counted refusals) |\n|---|---:|---:|\n");
            for (String c : rec.expectedByClass().keySet()) {
                b.append("| ").append(c).append(" | ").append(rec.expectedByClass().get(c)).append(" | ")
                        .append(rec.loggedByClass().getOrDefault(c, 0L)).append(" |\n");
            }
            b.append("\n- requests with a registered key that got no answer: ").append(rec.unanswered()).append('\n');
            b.append("- keys whose row count differs from the generator's: ").append(rec.keysWithWrongCounts()).append('\n');
            b.append("- keys whose api_keys totals differ from the sums of their rows: ").append(rec.keysWithWrongTotals()).append('\n');
            for (Map.Entry<String, String> e : rec.totals().entrySet()) {
                b.append("- ").append(e.getKey()).append(": ").append(e.getValue()).append('\n');
            }
            for (String f : rec.findings()) {
                b.append("- FAIL: ").append(f).append('\n');
            }
            b.append('\n');
        }

        if (!plotFiles.isEmpty()) {
            b.append("## Latency by percentile\n\n");
            for (String f : plotFiles) {
                b.append("![").append(f).append("](").append(f).append(")\n\n");
            }
        }
        return b.toString();
    }

    /** The cells p50, p90, p99, p99.9 and max of a {@link Curves#summary}, each after a separator. */
    private static String latencyCells(Map<String, Long> l) {
        return " | " + lat(l, "p50") + " | " + lat(l, "p90") + " | " + lat(l, "p99") + " | " + lat(l, "p99.9")
                + " | " + lat(l, "max");
    }

    private static String lat(Map<String, Long> l, String key) {
        Long v = l.get(key);
        return v == null ? "-" : us(v);
    }

    static String us(long micros) {
        if (Math.abs(micros) < 1000) {
            return micros + " us";
        }
        return String.format(Locale.ROOT, "%.2f ms", micros / 1000.0);
    }

    /** The proxy's user and system CPU per request as two cells, one decimal; "-" where not measured (the backend arm). */
    private static String cpuCells(SideRound s) {
        return " | " + cpu(s.proxyUserCpuUsPerRequest()) + " | " + cpu(s.proxySystemCpuUsPerRequest());
    }

    private static String cpu(Double us) {
        return us == null ? "-" : fmt(us, 1) + " us";
    }

    private static String mib(Long kb) {
        return kb == null ? "-" : String.format(Locale.ROOT, "%.0f MiB", kb / 1024.0);
    }

    /** Each round's answers per second, in the order the rounds ran. */
    private static String rates(List<Double> perRound) {
        return perRound.stream().map(v -> fmt(v, 0)).collect(Collectors.joining(", "));
    }

    private static String statuses(Map<String, Long> byStatus) {
        return byStatus.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining(", "));
    }

    private static String fmt(double v, int decimals) {
        return String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }

    private static String cell(String s) {
        return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
    }
}
