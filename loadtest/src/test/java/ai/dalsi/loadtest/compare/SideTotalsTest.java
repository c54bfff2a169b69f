package ai.dalsi.loadtest.compare;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.loadtest.gen.KeySet;
import ai.dalsi.loadtest.gen.LoadSpec;
import ai.dalsi.loadtest.gen.RunResult;
import ai.dalsi.loadtest.gen.StatusClass;
import ai.dalsi.loadtest.report.BenchReport.SideRound;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** An arm's side rounds of one kind, summed into the one row the report and the ratios read. */
class SideTotalsTest {

    private static final KeySet KEYS = KeySet.of(List.of("dsk_live_sidetotalstestkey0000000000000000000000"),
            List.of(), 0, 0, 0);

    /** A round of {@code answered} requests in {@code seconds}, each taking {@code latencyUs}, answered {@code status}. */
    private static RunResult round(long answered, double seconds, long latencyUs, int status) {
        Duration elapsed = Duration.ofNanos((long) (seconds * 1e9));
        LoadSpec spec = LoadSpec.of(URI.create("http://127.0.0.1:8080"), LoadSpec.Mode.CLOSED, 0, elapsed, 16, KEYS);
        Histogram latency = new Histogram(3);
        latency.recordValueWithCount(latencyUs, answered);
        long[] statuses = new long[600];
        statuses[status] = answered;
        return new RunResult(spec, elapsed, answered, answered, 0, 0, 0, latency, latency.copy(), new Histogram(3),
                statuses, new long[KEYS.size()][StatusClass.values().length], elapsed.toNanos(), -1, Map.of());
    }

    @Test
    void roundsAreSummedAsAnswersOverTimeAndCpuOverAnswersWithEachRoundKept() {
        Compare.SideTotals totals = new Compare.SideTotals();
        // Three rounds at 60,000, 40,000 and 10,000 answers/s.
        totals.add(new Compare.Measured(round(300_000, 5, 100, 429), new ProcFs.CpuTime(1_500_000, 2_100_000)));
        totals.add(new Compare.Measured(round(200_000, 5, 300, 429), new ProcFs.CpuTime(1_300_000, 1_900_000)));
        totals.add(new Compare.Measured(round(100_000, 10, 300, 401), new ProcFs.CpuTime(200_000, 1_000_000)));

        SideRound r = totals.report("gateway", "over-limit");

        // 600,000 answers in 20 s, where the mean of the three rates would be 36,667.
        assertThat(r.requestsPerSecond()).isEqualTo(30_000.0);
        assertThat(r.roundRequestsPerSecond()).containsExactly(60_000.0, 40_000.0, 10_000.0);
        // Half the answers took 100 us, half 300 us: the median over all of them is the lower, each round's its own.
        assertThat(r.p50Us()).isEqualTo(100);
        assertThat(r.roundP50Us()).containsExactly(100L, 300L, 300L);
        assertThat(r.byStatus()).containsExactly(Map.entry("401", 100_000L), Map.entry("429", 500_000L));
        // 3,000,000 us of user CPU and 5,000,000 of system over 600,000 answers.
        assertThat(r.proxyUserCpuUsPerRequest()).isEqualTo(5.0);
        assertThat(r.proxySystemCpuUsPerRequest()).isCloseTo(8.333, org.assertj.core.data.Offset.offset(0.001));
        assertThat(r.arm()).isEqualTo("gateway");
        assertThat(r.what()).isEqualTo("over-limit");
    }

    @Test
    void anArmWithoutAProxyProcessHasNoCpuPerRequest() {
        Compare.SideTotals totals = new Compare.SideTotals();
        totals.add(new Compare.Measured(round(50_000, 5, 40, 200), null));
        totals.add(new Compare.Measured(round(60_000, 5, 40, 200), null));

        SideRound r = totals.report("backend", "one-connection");

        assertThat(r.requestsPerSecond()).isEqualTo(11_000.0);
        assertThat(r.proxyUserCpuUsPerRequest()).isNull();
        assertThat(r.proxySystemCpuUsPerRequest()).isNull();
    }
}
