package ai.dalsi.loadtest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.loadtest.gen.KeySet;
import ai.dalsi.loadtest.gen.LoadSpec;
import ai.dalsi.loadtest.gen.RunResult;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** What {@code run} says when an open-loop run could not keep its rate. */
class SummaryTest {

    private static final KeySet KEYS = KeySet.of(List.of("dsk_live_summarytestkey000000000000000000000000"),
            List.of(), 0, 0, 0);

    /** A run of {@code answered} requests with these mean latencies from the intended and the actual send time. */
    private static RunResult open(double rate, int connections, long answered, long fromIntendedUs, long fromSentUs,
            long unfinished) {
        LoadSpec spec = LoadSpec.of(URI.create("http://127.0.0.1:8080"), LoadSpec.Mode.OPEN, rate,
                Duration.ofSeconds(20), connections, KEYS);
        Histogram latency = new Histogram(3);
        Histogram service = new Histogram(3);
        for (long i = 0; i < answered; i++) {
            latency.recordValue(fromIntendedUs);
            service.recordValue(fromSentUs);
        }
        long[] status = new long[600];
        status[200] = answered;
        return new RunResult(spec, Duration.ofSeconds(20), answered, answered, 0, unfinished, 0, latency, service,
                new Histogram(3), status, new long[KEYS.size()][ai.dalsi.loadtest.gen.StatusClass.values().length], Duration.ofSeconds(20).toNanos(),
                -1, java.util.Map.of());
    }

    @Test
    void tooFewConnectionsForTheLatencySeenAreNamedWithWhatWouldCarryTheRate() {
        // 16 connections at 109 ms each carry about 147 req/s, not 1000.
        RunResult r = open(1000, 16, 2938, 2_500_000, 109_000, 2800);
        String summary = Summary.of(r, false);
        assertThat(summary).containsPattern("warning     fell behind its rate of 1000 req/s: requests waited 239\\d\\.\\d"
                + " ms on average for a free connection before they were sent; 16 connection\\(s\\), each carrying one"
                + " request at a time, carry at most about 147 req/s at the 109\\.0 ms mean latency seen \\(connections /"
                + " latency\\): use --connections 137 or more, or a lower --rate");
        assertThat(summary).contains("unfinished  2800 request(s) were due but had no answer when --drain (5.0 s)"
                + " ended the run");
    }

    @Test
    void aRunThatKeptItsRateHasNoWarning() {
        String summary = Summary.of(open(100, 16, 2000, 2_100, 2_000, 0), false);
        assertThat(summary).doesNotContain("warning").doesNotContain("fell behind").doesNotContain("unfinished  ");
    }

    @Test
    void enoughConnectionsButStillLateBlamesTheGenerator() {
        assertThat(Summary.fellBehind(open(100, 16, 2000, 30_000, 2_000, 0)))
                .startsWith("fell behind its rate of 100 req/s: requests waited 28.0 ms")
                .contains("the generator itself could not keep up");
    }
}
