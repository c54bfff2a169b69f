package ai.dalsi.loadtest.report;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.loadtest.gen.RequestKind;
import ai.dalsi.loadtest.report.BenchReport.Arm;
import ai.dalsi.loadtest.report.BenchReport.Ratio;
import ai.dalsi.loadtest.report.BenchReport.SideRound;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.xml.parsers.DocumentBuilderFactory;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class ReportWriterTest {

    @TempDir
    Path dir;

    private static Histogram latencies(long medianUs, long seed) {
        Histogram h = new Histogram(3);
        Random r = new Random(seed);
        for (int i = 0; i < 100_000; i++) {
            h.recordValue((long) (medianUs * Math.exp(r.nextGaussian() * 0.4)));
        }
        return h;
    }

    private static Arm arm(String name, double rps, Double proxyCpu, long medianUs) {
        Histogram h = latencies(medianUs, name.hashCode());
        return new Arm(name, "ok", null, rps, List.of(rps * 0.99, rps, rps * 1.01), (long) (rps * 60),
                Curves.summary(h), Map.of("200", 90_000L, "401", 5_000L, "429", 5_000L), proxyCpu, 30.0,
                proxyCpu == null ? null : 40.0,
                proxyCpu == null ? null : 120_000L, 200_000L, Curves.percentiles(h), byKind(medianUs));
    }

    /** Chat answers around the arm's median, streams around twice it: the kinds' rows must differ. */
    private static Map<String, Map<String, Long>> byKind(long medianUs) {
        Map<RequestKind, Histogram> kinds = new java.util.EnumMap<>(RequestKind.class);
        kinds.put(RequestKind.STREAM, latencies(medianUs * 2, medianUs + 1));
        kinds.put(RequestKind.CHAT, latencies(medianUs, medianUs));
        return Curves.byKind(kinds);
    }

    private static SideRound side(String arm, String what, double rps, long p50) {
        boolean proxy = !arm.equals("backend");
        // Distinct per arm and round, so a cell shown under the wrong row or column fails the tests.
        double user = arm.length() * 10 + what.length() + 0.25;
        return new SideRound(arm, what, rps, p50, Map.of(what.equals("over-limit") ? "429" : "200", 1000L),
                Curves.percentiles(latencies(p50, arm.hashCode() + what.hashCode())), proxy ? user : null,
                proxy ? user / 2 : null, List.of(rps * 0.9, rps * 1.1), List.of(p50 - 5, p50 + 5));
    }

    static BenchReport synthetic() {
        List<Arm> arms = List.of(arm("backend", 30_000, null, 300), arm("nginx", 20_000, 25.0, 450),
                arm("gateway", 18_000, 31.0, 520));
        List<SideRound> one = List.of(side("backend", "one-connection", 5000, 150),
                side("nginx", "one-connection", 4000, 190), side("gateway", "one-connection", 3800, 230));
        List<SideRound> rejects = List.of(side("nginx", "bad-key", 40_000, 80), side("gateway", "bad-key", 36_000, 90),
                side("nginx", "over-limit", 38_000, 85), side("gateway", "over-limit", 30_000, 100));
        return new BenchReport(
                new BenchReport.Meta("2025-01-01T00:00:00Z", "test machine, 2 cores", "25", "loadtest.jar compare",
                        "closed loop, 16 connections, 3 rounds of 20 s", "generator on CPU 0, the rest on CPU 1",
                        List.of("warm-up 5 s per arm")),
                arms, one, rejects, Ratios.of(arms, one, rejects), Map.of("gateway", passed(12)));
    }

    private static BenchReport.Reconciliation passed(long rows) {
        return new BenchReport.Reconciliation(true, Map.of("2xx", rows - 2, "4xx", 2L, "5xx", 0L),
                Map.of("2xx", rows - 2, "4xx", 2L, "5xx", 0L), 0, 0, 0,
                Map.of("api_keys.total_requests", rows + " = " + rows + " (sum of rows)"),
                "rows stable at " + rows + " after 0.3 s", List.of());
    }

    @Test
    void markdownHasTheTablesAndTheRatiosAgainstTheTargets() throws Exception {
        ReportWriter.write(dir, synthetic());

        String md = Files.readString(dir.resolve("report.md"));
        assertThat(md).contains("## Throughput and latency", "| gateway | 18,000 |", "| nginx | 20,000 |");
        assertThat(md).contains("| gateway / nginx throughput | 0.90x | >= 0.6 | yes |");
        assertThat(md).contains("| gateway / nginx CPU per request | 1.24x | <= 1.6 | yes |");
        assertThat(md).contains("| added p50 at one connection, gateway | 80 us | <= 50 us | **no** |");
        assertThat(md).contains("| gateway 401 path / nginx refusing a bad key | 0.90x | >= 0.9 | yes |");
        assertThat(md).contains("| gateway 429 path / nginx 429 path | 0.79x | >= 0.8 | **no** |");
        assertThat(md).doesNotContain("gateway-redis", "### gateway");
        assertThat(md).contains("**PASS**", "| 2xx | 10 | 10 |");
        assertThat(md).contains("![latency.svg](latency.svg)");
    }

    @Test
    void theDatabaseCpuColumnShowsWhatWasMeasuredAndADashWhereNothingWas() throws Exception {
        ReportWriter.write(dir, synthetic());

        String md = Files.readString(dir.resolve("report.md"));
        assertThat(md).contains("| backend CPU us/req | database CPU us/req | proxy peak RSS |");
        assertThat(row(md, "| gateway | 18,000 |")).contains("| 31.0 | 30.0 | 40.0 | 117 MiB |");
        assertThat(row(md, "| backend | 30,000 |")).contains("| - | 30.0 | - | - |");
        assertThat(md).contains("Database CPU: every process of this machine's PostgreSQL server");
        JsonNode json = new ObjectMapper().readTree(Files.readString(dir.resolve("report.json")));
        assertThat(json.at("/arms/2/databaseCpuUsPerRequest").asDouble()).isEqualTo(40.0);
        assertThat(json.at("/arms/0/databaseCpuUsPerRequest").isNull()).isTrue();
    }

    @Test
    void theSideRoundsShowTheProxysCpuPerRequestSplitIntoUserAndSystem() throws Exception {
        ReportWriter.write(dir, synthetic());

        String md = Files.readString(dir.resolve("report.md"));
        assertThat(md).contains("| arm | req/s | p50 | p50 per round | added p50 vs backend alone | proxy CPU per request, user | system |");
        // gateway: 7 * 10 + "one-connection".length() + 0.25 = 84.25 us user, half of it system.
        assertThat(row(md, "| gateway | 3,800 |")).endsWith("| 80 us | 84.3 us | 42.1 us |");
        assertThat(row(md, "| backend | 5,000 |")).endsWith("| - | - | - |");
        // nginx refusing bad keys: 5 * 10 + "bad-key".length() + 0.25 = 57.25 us user.
        assertThat(row(md, "| nginx | bad-key |")).endsWith("| 57.3 us | 28.6 us |");
        JsonNode json = new ObjectMapper().readTree(Files.readString(dir.resolve("report.json")));
        assertThat(json.at("/oneConnection/2/proxyUserCpuUsPerRequest").asDouble()).isEqualTo(84.25);
        assertThat(json.at("/oneConnection/2/proxySystemCpuUsPerRequest").asDouble()).isEqualTo(42.125);
        assertThat(json.at("/oneConnection/0/proxyUserCpuUsPerRequest").isNull()).isTrue();
    }

    @Test
    void theSideRoundsShowEachRoundBesideTheirSum() throws Exception {
        ReportWriter.write(dir, synthetic());

        String md = Files.readString(dir.resolve("report.md"));
        // gateway at one connection: 230 us over its rounds, which took 225 and 235 us; added 80 us to the backend's.
        assertThat(row(md, "| gateway | 3,800 |")).isEqualTo("| gateway | 3,800 | 230 us | 225 us, 235 us | 80 us | 84.3 us | 42.1 us |");
        assertThat(md).contains("| arm | keys | req/s | per round | p50 | answers by status | proxy CPU per request, user | system |");
        assertThat(row(md, "| nginx | bad-key |")).isEqualTo("| nginx | bad-key | 40,000 | 36,000, 44,000 | 80 us | 200: 1000 | 57.3 us | 28.6 us |");
        assertThat(md).contains("The arms take turns, one side round each, round after round;");
        JsonNode json = new ObjectMapper().readTree(Files.readString(dir.resolve("report.json")));
        assertThat(json.at("/rejectRounds/1/roundRequestsPerSecond/1").asDouble()).isCloseTo(39_600.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(json.at("/oneConnection/0/roundP50Us/0").asLong()).isEqualTo(145);
    }

    @Test
    void theLatencyOfEachRequestKindHasARowPerArmInTheOrderOfTheKinds() throws Exception {
        ReportWriter.write(dir, synthetic());

        String md = Files.readString(dir.resolve("report.md"));
        assertThat(md).contains("### Latency by request kind");
        assertThat(md).contains("| arm | kind | answered | p50 | p90 | p99 | p99.9 | max |");
        Map<String, Long> chat = synthetic().arms().get(2).latencyByKindUs().get("chat");
        Map<String, Long> stream = synthetic().arms().get(2).latencyByKindUs().get("stream");
        assertThat(row(md, "| gateway | chat |")).isEqualTo("| gateway | chat | 100000 | "
                + MarkdownReport.us(chat.get("p50")) + " | " + MarkdownReport.us(chat.get("p90")) + " | "
                + MarkdownReport.us(chat.get("p99")) + " | " + MarkdownReport.us(chat.get("p99.9")) + " | "
                + MarkdownReport.us(chat.get("max")) + " |");
        // Streams were given twice the median: their row is their own, not chat's.
        assertThat(stream.get("p50")).isBetween(chat.get("p50") * 19 / 10, chat.get("p50") * 21 / 10);
        assertThat(row(md, "| gateway | stream |")).contains("| 100000 | " + MarkdownReport.us(stream.get("p50")) + " |");
        // chat comes before stream, as in RequestKind, whatever order the run saw them in.
        assertThat(md.indexOf("| gateway | chat |")).isLessThan(md.indexOf("| gateway | stream |"));
        JsonNode json = new ObjectMapper().readTree(Files.readString(dir.resolve("report.json")));
        assertThat(json.at("/arms/2/latencyByKindUs/stream/count").asLong()).isEqualTo(100_000L);
        assertThat(json.at("/arms/2/latencyByKindUs/stream/p99").asLong()).isEqualTo(stream.get("p99"));
    }

    @Test
    void jsonParsesAndCarriesTheSameNumbers() throws Exception {
        ReportWriter.write(dir, synthetic());

        JsonNode json = new ObjectMapper().readTree(Files.readString(dir.resolve("report.json")));
        assertThat(json.at("/arms/2/name").asText()).isEqualTo("gateway");
        assertThat(json.at("/arms/2/requestsPerSecond").asDouble()).isEqualTo(18_000.0);
        assertThat(json.at("/arms/1/latencyUs/p50").asLong()).isBetween(400L, 500L);
        assertThat(json.at("/reconciliations/gateway/passed").asBoolean()).isTrue();
        assertThat(json.at("/ratios/0/value").asDouble()).isEqualTo(0.9, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(json.at("/arms/0/percentiles").size()).isGreaterThan(20);
    }

    @Test
    void everyPlotIsWellFormedSvgWithATitleAndOneLinePerArm() throws Exception {
        List<Path> files = ReportWriter.write(dir, synthetic());

        List<Path> svgs = files.stream().filter(p -> p.toString().endsWith(".svg")).toList();
        assertThat(svgs).extracting(p -> p.getFileName().toString())
                .contains("latency.svg", "latency-gateway.svg", "latency-nginx.svg", "latency-backend.svg",
                        "latency-one-connection.svg");
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        for (Path svg : svgs) {
            Document doc = f.newDocumentBuilder().parse(svg.toFile());
            assertThat(doc.getDocumentElement().getLocalName()).isEqualTo("svg");
            assertThat(doc.getElementsByTagName("text").item(0).getTextContent()).startsWith("Latency by percentile");
        }
        Document all = f.newDocumentBuilder().parse(dir.resolve("latency.svg").toFile());
        assertThat(all.getElementsByTagName("polyline").getLength()).isEqualTo(3);
        assertThat(Files.readString(dir.resolve("latency.svg"))).contains("99.9%", "latency (ms, log scale)", "gateway");
    }

    @Test
    void aSkippedArmIsReportedWithItsReasonAndItsRatiosHaveNoValue() throws Exception {
        BenchReport full = synthetic();
        List<Arm> arms = List.of(full.arms().get(0), Arm.skipped("nginx", "nginx is not installed"), full.arms().get(2));
        List<SideRound> rejects = full.rejectRounds().stream().filter(s -> !s.arm().equals("nginx")).toList();
        List<Ratio> ratios = Ratios.of(arms, full.oneConnection(), rejects);
        BenchReport r = new BenchReport(full.meta(), arms, full.oneConnection(), rejects, ratios, Map.of());

        ReportWriter.write(dir, r);

        String md = Files.readString(dir.resolve("report.md"));
        assertThat(md).contains("| nginx | skipped: nginx is not installed |");
        assertThat(md).contains("| gateway / nginx throughput | n/a (arm did not run) | >= 0.6 | - |");
        assertThat(md).contains("Not run: no gateway arm ran.");
        assertThat(ratios.get(2).value()).isEqualTo(18_000.0 / 30_000.0);
    }

    @Test
    void theRedisArmIsComparedWithTheLocalGatewayAndReconciledOnItsOwn() throws Exception {
        BenchReport full = synthetic();
        List<Arm> arms = new java.util.ArrayList<>(full.arms());
        arms.add(arm("gateway-redis", 15_000, 37.2, 600));
        List<SideRound> one = new java.util.ArrayList<>(full.oneConnection());
        one.add(side("gateway-redis", "one-connection", 3000, 290));
        List<SideRound> rejects = new java.util.ArrayList<>(full.rejectRounds());
        rejects.add(side("gateway-redis", "bad-key", 35_000, 95));
        rejects.add(side("gateway-redis", "over-limit", 12_000, 250));
        Map<String, BenchReport.Reconciliation> recs = new java.util.LinkedHashMap<>();
        recs.put("gateway", passed(12));
        recs.put("gateway-redis", passed(30));
        BenchReport r = new BenchReport(full.meta(), arms, one, rejects, Ratios.of(arms, one, rejects), recs);

        ReportWriter.write(dir, r);

        String md = Files.readString(dir.resolve("report.md"));
        assertThat(md).startsWith("# Benchmark: backend, nginx, gateway, gateway-redis\n");
        assertThat(md).contains("| gateway-redis / gateway throughput | 0.83x | - | - |");
        assertThat(md).contains("| gateway-redis / gateway CPU per request | 1.20x | - | - |");
        assertThat(md).contains("| added p50 at one connection, gateway-redis | 140 us | - | - |");
        assertThat(md).contains("| p50 at one connection, gateway-redis - gateway | 60 us | - | - |");
        assertThat(md).contains("| gateway-redis / gateway 429 path | 0.40x | - | - |");
        assertThat(md).contains("| gateway-redis / gateway 401 path | 0.97x | - | - |");
        assertThat(md).contains("### gateway\n\n**PASS**: rows stable at 12", "### gateway-redis\n\n**PASS**: rows stable at 30");
        JsonNode json = new ObjectMapper().readTree(Files.readString(dir.resolve("report.json")));
        assertThat(json.at("/reconciliations/gateway-redis/expectedByClass/2xx").asLong()).isEqualTo(28);
        assertThat(Files.exists(dir.resolve("latency-gateway-redis.svg"))).isTrue();
    }

    @Test
    void aBaselineBuildIsComparedWithTheGatewayInTheSameRun() throws Exception {
        BenchReport full = synthetic();
        List<Arm> arms = new java.util.ArrayList<>(full.arms());
        arms.add(2, arm("gateway-baseline", 12_000, 62.0, 700));
        List<SideRound> one = new java.util.ArrayList<>(full.oneConnection());
        one.add(side("gateway-baseline", "one-connection", 3000, 330));
        List<SideRound> rejects = new java.util.ArrayList<>(full.rejectRounds());
        rejects.add(side("gateway-baseline", "bad-key", 20_000, 95));
        rejects.add(side("gateway-baseline", "over-limit", 7_600, 250));
        BenchReport r = new BenchReport(full.meta(), arms, one, rejects, Ratios.of(arms, one, rejects),
                Map.of("gateway", passed(12)));

        ReportWriter.write(dir, r);

        String md = Files.readString(dir.resolve("report.md"));
        assertThat(md).contains("| gateway / gateway-baseline throughput | 1.50x | - | - |");
        assertThat(md).contains("| gateway / gateway-baseline CPU per request | 0.50x | - | - |");
        assertThat(md).contains("| added p50 at one connection, gateway-baseline | 180 us | - | - |");
        assertThat(md).contains("| gateway / gateway-baseline 401 path | 1.80x | - | - |");
        assertThat(md).contains("| gateway / gateway-baseline 429 path | 3.95x | - | - |");
        assertThat(md).contains("| gateway-baseline 429 path / nginx 429 path | 0.20x | - | - |");
        assertThat(md).contains("| gateway-baseline / nginx CPU per request | 2.48x | - | - |");
    }

    /** The report's table row that starts with {@code start}; fails when there is none. */
    private static String row(String md, String start) {
        return md.lines().filter(l -> l.startsWith(start)).findFirst().orElseThrow();
    }
}
