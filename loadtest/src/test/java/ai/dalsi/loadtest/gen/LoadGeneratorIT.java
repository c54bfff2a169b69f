package ai.dalsi.loadtest.gen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The generator against a trivial local server: pacing, coordinated omission, streams, counting. */
@Timeout(60)
class LoadGeneratorIT {

    private static final String KEY = "dsk_live_loadgeneratortestkey";

    private static KeySet oneKey() {
        return KeySet.of(List.of(KEY), List.of(), 0, 0, 0);
    }

    @Test
    void openLoopIssuesRateTimesDurationAtEvenlySpacedIntendedTimes() throws Exception {
        try (StubHttpServer server = new StubHttpServer()) {
            LoadSpec spec = LoadSpec.of(server.url(), LoadSpec.Mode.OPEN, 2000, Duration.ofSeconds(2), 4, oneKey())
                    .withMix(RequestMix.only(RequestKind.CHAT));

            RunResult r = LoadGenerator.run(spec);

            assertThat((double) r.sent()).isCloseTo(4000, within(40.0));
            assertThat(r.completed()).isEqualTo(r.sent());
            assertThat(r.failed()).isZero();
            assertThat(r.unfinished()).isZero();
            assertThat(server.requests()).isEqualTo((int) r.sent());
            assertThat(r.byStatus()).containsExactly(java.util.Map.entry(200, r.sent()));
            // Request i is intended at start + i/rate: 500 microseconds apart, whatever the scheduler did.
            double spacingMicros = r.intendedSpanNanos() / 1000.0 / (r.sent() - 1);
            assertThat(spacingMicros).isCloseTo(500.0, within(1.0));
            assertThat(r.latency().getTotalCount()).isEqualTo(r.completed());
            // The loop threads' wait for a CPU is known on Linux, and is a share of their time.
            assertThat(r.runQueueWaitNanos()).isNotNegative();
            assertThat(spec.ioThreads()).isEqualTo(1);
            assertThat(r.runQueueWaitShare()).isEqualTo((double) r.runQueueWaitNanos() / r.elapsed().toNanos());
            assertThat(r.runQueueWaitShare()).isBetween(0.0, 1.0);
        }
    }

    @Test
    void aStallShowsInEveryRequestThatHadToWaitNotOnlyInTheFewInFlight() throws Exception {
        int rate = 1000;
        long stallMillis = 500;
        int connections = 4;
        try (StubHttpServer server = new StubHttpServer().stallOnce(500, stallMillis)) {
            LoadSpec spec = LoadSpec.of(server.url(), LoadSpec.Mode.OPEN, rate, Duration.ofSeconds(2), connections, oneKey())
                    .withMix(RequestMix.only(RequestKind.CHAT));

            RunResult r = LoadGenerator.run(spec);

            assertThat(r.completed()).isEqualTo(r.sent());
            long slowCorrected = countAtLeast(r.latency(), 100_000);
            long slowUncorrected = countAtLeast(r.serviceTime(), 100_000);
            // About rate * (stall - 100 ms) = 400 requests waited 100 ms or more for a free connection (a
            // few more while the backlog drains on a busy machine), but far from all 2,000 of the run...
            assertThat(slowCorrected).isBetween(300L, 1200L);
            // ...while measured from the actual send only the requests caught in flight look slow.
            assertThat(slowUncorrected).isLessThanOrEqualTo(connections * 2L);
            // Requests arriving evenly during the stall wait on average half of it.
            long medianOfStalled = medianAtLeast(r.latency(), 20_000);
            assertThat(medianOfStalled).isBetween(stallMillis * 1000 / 2 - 100_000, stallMillis * 1000 / 2 + 100_000);
        }
    }

    @Test
    void closedLoopSendsTheNextRequestWhenTheLastWasAnsweredAndStopsAtTheCount() throws Exception {
        try (StubHttpServer server = new StubHttpServer()) {
            LoadSpec spec = LoadSpec.of(server.url(), LoadSpec.Mode.CLOSED, 0, Duration.ofSeconds(30), 3, oneKey())
                    .withMaxRequests(1500);

            RunResult r = LoadGenerator.run(spec);

            assertThat(r.sent()).isEqualTo(1500);
            assertThat(r.completed()).isEqualTo(1500);
            assertThat(server.requests()).isEqualTo(1500);
            // Stopped by the count, long before the 30 s duration.
            assertThat(r.elapsed()).isLessThan(Duration.ofSeconds(25));
            assertThat(r.serviceTime().getTotalCount()).isEqualTo(1500);
            // The default mix, each answer counted under its own kind once: chat=60,stream=20,completion=10,...
            assertThat(r.latencyByKind().keySet()).containsExactlyInAnyOrder(RequestKind.values());
            assertThat(r.latencyByKind().values().stream().mapToLong(h -> h.getTotalCount()).sum()).isEqualTo(1500);
            assertThat((double) r.latencyByKind().get(RequestKind.CHAT).getTotalCount()).isCloseTo(900, within(90.0));
            assertThat((double) r.latencyByKind().get(RequestKind.STREAM).getTotalCount()).isCloseTo(300, within(60.0));
        }
    }

    @Test
    void streamsAreReadToTheirEndAndTheFirstEventIsTimedSeparately() throws Exception {
        try (StubHttpServer server = new StubHttpServer()) {
            LoadSpec spec = LoadSpec.of(server.url(), LoadSpec.Mode.CLOSED, 0, Duration.ofSeconds(30), 2, oneKey())
                    .withMix(RequestMix.only(RequestKind.STREAM)).withMaxRequests(200);

            RunResult r = LoadGenerator.run(spec);

            assertThat(r.completed()).isEqualTo(200);
            assertThat(r.incompleteStreams()).isZero();
            assertThat(r.timeToFirstByte().getTotalCount()).isEqualTo(200);
            assertThat(r.timeToFirstByte().getValueAtPercentile(50)).isLessThanOrEqualTo(r.latency().getValueAtPercentile(50));
        }
    }

    @Test
    void aStreamWithoutDoneIsCountedAsIncomplete() throws Exception {
        try (StubHttpServer server = new StubHttpServer().omitDone()) {
            LoadSpec spec = LoadSpec.of(server.url(), LoadSpec.Mode.CLOSED, 0, Duration.ofSeconds(30), 1, oneKey())
                    .withMix(RequestMix.only(RequestKind.STREAM)).withMaxRequests(20);

            RunResult r = LoadGenerator.run(spec);

            assertThat(r.completed()).isEqualTo(20);
            assertThat(r.incompleteStreams()).isEqualTo(20);
        }
    }

    @Test
    void countsByStatusAndByKeyAddUpPerKeyClass() throws Exception {
        List<String> known = List.of("dsk_live_known1", "dsk_live_known2", "dsk_live_known3");
        List<String> over = List.of("dsk_live_over1", "dsk_live_over2");
        try (StubHttpServer server = new StubHttpServer().checkKeys(Set.copyOf(known), Set.copyOf(over))) {
            KeySet keys = KeySet.of(known, over, 0.2, 0.1, 0.1);
            LoadSpec spec = LoadSpec.of(server.url(), LoadSpec.Mode.CLOSED, 0, Duration.ofSeconds(30), 4, keys)
                    .withMaxRequests(2000);

            RunResult r = LoadGenerator.run(spec);

            assertThat(r.completed()).isEqualTo(2000);
            var byClass = r.byKeyClass();
            long knownOk = byClass.get(KeyClass.KNOWN)[StatusClass.S2XX.ordinal()];
            long over4xx = byClass.get(KeyClass.OVER_LIMIT)[StatusClass.S4XX.ordinal()];
            long unknown4xx = byClass.get(KeyClass.UNKNOWN)[StatusClass.S4XX.ordinal()];
            long malformed4xx = byClass.get(KeyClass.MALFORMED)[StatusClass.S4XX.ordinal()];
            assertThat(knownOk).isEqualTo(r.byStatus().get(200));
            assertThat(over4xx).isEqualTo(r.byStatus().get(429));
            assertThat(unknown4xx + malformed4xx).isEqualTo(r.byStatus().get(401));
            // The shares hold roughly: 60% known, 20% over the limit, 10% + 10% bad.
            assertThat((double) knownOk).isCloseTo(1200, within(150.0));
            assertThat((double) over4xx).isCloseTo(400, within(100.0));
            assertThat((double) unknown4xx).isCloseTo(200, within(80.0));
            assertThat(r.registeredByStatusClass()[StatusClass.S2XX.ordinal()]).isEqualTo(knownOk);
            assertThat(r.registeredByStatusClass()[StatusClass.S4XX.ordinal()]).isEqualTo(over4xx);
            long perKeyTotal = 0;
            for (long[] k : r.perKey()) {
                for (long c : k) {
                    perKeyTotal += c;
                }
            }
            assertThat(perKeyTotal).isEqualTo(2000);
        }
    }

    @Test
    void connectionsClosedByTheServerAreReplacedWithoutLosingRequests() throws Exception {
        try (StubHttpServer server = new StubHttpServer().closeEvery(7)) {
            LoadSpec spec = LoadSpec.of(server.url(), LoadSpec.Mode.CLOSED, 0, Duration.ofSeconds(30), 2, oneKey())
                    .withMaxRequests(300);

            RunResult r = LoadGenerator.run(spec);

            assertThat(r.completed()).isEqualTo(300);
            assertThat(r.failed()).isZero();
            assertThat(r.byStatus()).containsExactly(java.util.Map.entry(200, 300L));
        }
    }

    @Test
    void aServerThatNeverAnswersEndsTheRunAtTheDrainTimeoutWithUnfinishedRequests() throws Exception {
        try (StubHttpServer server = new StubHttpServer().stallOnce(1, 60_000)) {
            LoadSpec spec = LoadSpec.of(server.url(), LoadSpec.Mode.OPEN, 100, Duration.ofMillis(500), 2, oneKey())
                    .withDrainTimeout(Duration.ofMillis(300));

            RunResult r = LoadGenerator.run(spec);

            assertThat(r.completed()).isZero();
            assertThat(r.unfinished()).isCloseTo(50, within(2L));
        }
    }

    private static long countAtLeast(Histogram h, long micros) {
        return h.getCountBetweenValues(micros, Math.max(micros, h.getMaxValue()));
    }

    private static long medianAtLeast(Histogram h, long micros) {
        long n = countAtLeast(h, micros);
        long seen = 0;
        for (var v : h.recordedValues()) {
            if (v.getValueIteratedTo() >= micros) {
                seen += v.getCountAtValueIteratedTo();
                if (seen >= n / 2) {
                    return v.getValueIteratedTo();
                }
            }
        }
        return -1;
    }
}
