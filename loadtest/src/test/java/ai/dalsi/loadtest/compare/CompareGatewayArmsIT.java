package ai.dalsi.loadtest.compare;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.loadtest.LoadtestMain;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code compare} end to end, briefly: the simulated backend and three gateway processes built
 * from this checkout's jar, one keeping its limits in its own memory, one in the machine's Redis
 * (under a prefix of its own) and one standing in for a baseline build, each on a fresh database;
 * the report compares them, each ledger reconciles on its own, every measured round starts after
 * the ledgers drained and PostgreSQL and the kernel wrote back, and async-profiler samples the
 * gateways during the measured round. The timeout is a hang guard (about 70 s at normal speed).
 */
@Timeout(600)
class CompareGatewayArmsIT {

    @Test
    void theLocalAndTheRedisLimiterAreMeasuredInOneRunAndEachLedgerReconciles(@TempDir Path out) throws Exception {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int exit = LoadtestMain.run(new String[] {"compare", "--out", out.toString(), "--arms", "gateway-baseline,gateway,gateway-redis",
                "--duration", "2s", "--rounds", "1", "--warmup", "1s", "--round-warmup", "500ms", "--side-duration", "1s", "--side-warmup", "500ms", "--side-rounds", "2", "--connections", "4",
                "--key-count", "3", "--over-limit-key-count", "2", "--no-pin", "--quiet", "--jvm-opts", "-Xmx256m",
                "--loadtest-jar", "target/loadtest.jar", "--gateway-jar", "../gateway/target/gateway.jar",
                "--redis-url", "redis://127.0.0.1:6379", "--profile", "cpu",
                "--baseline-jar", "../gateway/target/gateway.jar", "--baseline-jvm-opts", "-Xms64m -Xmx200m"},
                new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(stderr, true, StandardCharsets.UTF_8));

        String log = stderr.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(log).isZero();
        assertThat(log).contains("starting gateway-redis: ", "the Redis limiter (redis://127.0.0.1:6379)",
                "reconciliation gateway: PASS", "reconciliation gateway-redis: PASS");

        JsonNode report = new ObjectMapper().readTree(Files.readString(out.resolve("report.json")));
        assertThat(report.at("/arms/0/name").asText()).isEqualTo("gateway-baseline");
        assertThat(report.at("/arms/1/name").asText()).isEqualTo("gateway");
        assertThat(report.at("/arms/2/name").asText()).isEqualTo("gateway-redis");
        assertThat(log).contains("starting gateway-baseline: ../gateway/target/gateway.jar serve",
                "reconciliation gateway-baseline: PASS");
        for (String arm : new String[] {"gateway-baseline", "gateway", "gateway-redis"}) {
            JsonNode rec = report.at("/reconciliations/" + arm);
            assertThat(rec.at("/passed").asBoolean()).as(arm).isTrue();
            assertThat(rec.at("/expectedByClass/2xx").asLong()).as(arm).isPositive();
            assertThat(rec.at("/expectedByClass/5xx").asLong()).as(arm).isZero();
        }
        // Each gateway's CPU in its one-connection round, split into its own code and the kernel's work for it.
        assertThat(report.at("/oneConnection").findValuesAsText("arm")).containsExactly("gateway-baseline", "gateway",
                "gateway-redis");
        for (JsonNode one : report.at("/oneConnection")) {
            assertThat(one.at("/proxyUserCpuUsPerRequest").asDouble()).as(one.toString()).isPositive();
            assertThat(one.at("/proxySystemCpuUsPerRequest").isNumber()).as(one.toString()).isTrue();
        }
        // Two side rounds of each kind per arm, the arms taking turns; each row sums its arm's two.
        for (String side : new String[] {"/oneConnection", "/rejectRounds"}) {
            for (JsonNode row : report.at(side)) {
                assertThat(row.at("/roundRequestsPerSecond").size()).as(row.toString()).isEqualTo(2);
                assertThat(row.at("/roundP50Us").size()).as(row.toString()).isEqualTo(2);
            }
        }
        assertThat(log).containsSubsequence("over-limit gateway (1/2)", "over-limit gateway-redis (1/2)",
                "over-limit gateway (2/2)", "over-limit gateway-redis (2/2)");
        // The over-limit rounds reached each gateway's limiter: refusals, and a ratio of the two.
        assertThat(report.at("/rejectRounds").findValuesAsText("arm")).contains("gateway", "gateway-redis");
        JsonNode cpu = null;
        for (JsonNode ratio : report.at("/ratios")) {
            if (ratio.at("/name").asText().equals("gateway-redis / gateway CPU per request")) {
                cpu = ratio;
            }
        }
        assertThat(cpu).isNotNull();
        assertThat(cpu.at("/value").asDouble()).isPositive();
        String md = Files.readString(out.resolve("report.md"));
        assertThat(md).contains("| p50 at one connection, gateway-redis - gateway |", "### gateway-redis\n\n**PASS**",
                "- command: `bin/loadtest compare --out ", "--baseline-jvm-opts \"-Xms64m -Xmx200m\"`");
        // The warm-up ended on new connections, and every main and side round followed a run of its own
        // shape; the answers of those unmeasured runs are in the ledgers that reconciled above.
        assertThat(md).contains("- warm-up: 1 s closed loop per arm before the first round (not measured), in two runs"
                + " of half that, the second on new connections", "- round warm-up: before each measured main round,"
                + " an unmeasured 500 ms run of its shape against the same arm", "- side rounds: 2 per kind and arm, the arms"
                + " taking turns, 1 s each, each after an unmeasured 500 ms run of the same shape;");
        // Every measured round started on a settled machine: ledgers drained, CHECKPOINT and sync done.
        assertThat(md).contains("- settling: before every measured round, each gateway's ledger caught up")
                .doesNotContain("settling before a round was incomplete");
        assertThat(stdout.toString(StandardCharsets.UTF_8)).contains("gateway-redis / gateway throughput",
                "gateway / gateway-baseline CPU per request");
        // The measured rounds were profiled: one flame graph per gateway arm, named in the report.
        for (String arm : new String[] {"gateway", "gateway-redis"}) {
            assertThat(Files.readString(out.resolve(arm + "-cpu.html"))).as(arm).contains("<html", "dalsi/gateway/");
            assertThat(md).contains("profile: async-profiler cpu of " + arm + " during the measured rounds, " + arm + "-cpu.html");
        }
        // Each kind of side round was profiled on its own, during its measured rounds only: a known key's
        // refusal (metered before it is written) is in the over-limit graph and nowhere in the bad-key one.
        for (String arm : new String[] {"gateway", "gateway-redis"}) {
            for (String kind : new String[] {"one-connection", "bad-key", "over-limit"}) {
                assertThat(md).contains("profile: async-profiler cpu of " + arm + " during its measured "
                        + kind + " side rounds, " + arm + "-cpu-" + kind + ".html");
                assertThat(Files.readString(out.resolve(arm + "-cpu-" + kind + ".html"))).as(arm + " " + kind)
                        .contains("<html", "dalsi/gateway/");
            }
            assertThat(Files.readString(out.resolve(arm + "-cpu-over-limit.collapsed"))).as(arm)
                    .contains("ai/dalsi/gateway/edge/ExchangeFinisher.meterAndWrite");
            assertThat(Files.readString(out.resolve(arm + "-cpu-bad-key.collapsed"))).as(arm)
                    .contains("ai/dalsi/gateway/edge/AuthenticateStep.apply")
                    .doesNotContain("ai/dalsi/gateway/edge/ExchangeFinisher.meterAndWrite");
        }
    }
}
