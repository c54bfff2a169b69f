package ai.dalsi.loadtest.report;

import java.util.List;
import java.util.Map;

/**
 * Everything a {@code compare} run found, in the shape written to {@code report.json}; the
 * markdown and the plots are rendered from it. Latencies are in microseconds, memory in KiB.
 *
 * @param meta           when, where and with what load
 * @param arms           the main rounds, one entry per arm (skipped arms included, with the reason)
 * @param oneConnection  the short rounds at one connection, for the latency each proxy adds
 * @param rejectRounds   the short max-throughput rounds with only bad keys or only over-limit keys
 * @param ratios         the ratios against the targets of the issue
 * @param reconciliations the usage-ledger check after each gateway arm, by arm name in arm order; empty
 *                       when no gateway arm ran
 */
public record BenchReport(
        Meta meta,
        List<Arm> arms,
        List<SideRound> oneConnection,
        List<SideRound> rejectRounds,
        List<Ratio> ratios,
        Map<String, Reconciliation> reconciliations) {

    /** Names of the arms, as reports and ratios use them. */
    public static final String BACKEND = "backend";
    public static final String NGINX = "nginx";
    /** Another build of the gateway ({@code --baseline-jar}), local limits: the "before" of a change. */
    public static final String GATEWAY_BASELINE = "gateway-baseline";
    /** The gateway with its limits in its own memory (one node). */
    public static final String GATEWAY = "gateway";
    /** The gateway with its limits in Redis, as every node of a cluster runs. */
    public static final String GATEWAY_REDIS = "gateway-redis";
    /** Every arm, in the order they run and are reported. */
    public static final List<String> ARMS = List.of(BACKEND, NGINX, GATEWAY_BASELINE, GATEWAY, GATEWAY_REDIS);

    public BenchReport {
        reconciliations = reconciliations == null ? Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(reconciliations));
    }

    /**
     * @param date      ISO-8601 start time
     * @param host      machine description (CPU model, cores)
     * @param java      runtime of the generator and the JVM arms
     * @param command   the command line that produced the report
     * @param load      the load of the main rounds, in words
     * @param pinning   how processes were pinned to CPUs, or why not
     * @param notes     anything else a reader needs (warm-up, versions)
     */
    public record Meta(String date, String host, String java, String command, String load, String pinning,
            List<String> notes) {
    }

    /**
     * One arm over all its main rounds.
     *
     * @param name                 one of {@link #ARMS}
     * @param status               {@code ok}, {@code skipped} or {@code failed}
     * @param reason               why it was skipped or failed, else null
     * @param requestsPerSecond    answered requests per second over all rounds
     * @param roundRequestsPerSecond the same, per round, to show the spread
     * @param requests             answered requests over all rounds
     * @param latencyUs            p50, p90, p99, p99.9 and max
     * @param byStatus             answered requests by HTTP status; "none" for no answer
     * @param proxyCpuUsPerRequest CPU (user + system) of the proxy process per answered request, null for the backend arm
     * @param backendCpuUsPerRequest CPU of the backend process per answered request
     * @param databaseCpuUsPerRequest CPU of this machine's PostgreSQL (every process of its server)
     *                             during the arm's rounds per answered request: the gateway's ledger
     *                             writes, nearly nothing for the others; null when the database is
     *                             not on this machine
     * @param proxyPeakRssKb       peak resident memory (VmHWM) of the proxy, null for the backend arm
     * @param backendPeakRssKb     peak resident memory of the backend
     * @param percentiles          latency curve: [percentile, microseconds] pairs, for the plot
     * @param latencyByKindUs      by request kind ({@code chat}, {@code stream}, ...): its answered
     *                             requests ({@code count}) and their {@link Curves#summary} in microseconds
     */
    public record Arm(String name, String status, String reason, double requestsPerSecond,
            List<Double> roundRequestsPerSecond, long requests, Map<String, Long> latencyUs,
            Map<String, Long> byStatus, Double proxyCpuUsPerRequest, Double backendCpuUsPerRequest,
            Double databaseCpuUsPerRequest, Long proxyPeakRssKb, Long backendPeakRssKb, List<double[]> percentiles,
            Map<String, Map<String, Long>> latencyByKindUs) {

        public boolean ran() {
            return "ok".equals(status);
        }

        public static Arm skipped(String name, String reason) {
            return new Arm(name, "skipped", reason, 0, List.of(), 0, Map.of(), Map.of(), null, null, null, null, null, List.of(), Map.of());
        }

        public static Arm failed(String name, String reason) {
            return new Arm(name, "failed", reason, 0, List.of(), 0, Map.of(), Map.of(), null, null, null, null, null, List.of(), Map.of());
        }
    }

    /**
     * A short extra round against one arm.
     *
     * @param arm               which arm
     * @param what              {@code one-connection}, {@code bad-key} or {@code over-limit}
     * @param requestsPerSecond answered per second over all its side rounds ({@code --side-rounds})
     * @param p50Us             median latency of all its side rounds' answers
     * @param byStatus          answered by status
     * @param percentiles       latency curve, for the plot
     * @param proxyUserCpuUsPerRequest   CPU the proxy process spent in its own code per answered
     *                                   request ({@code utime}), null for the backend arm
     * @param proxySystemCpuUsPerRequest CPU the kernel spent for the proxy process per answered
     *                                   request ({@code stime}: system calls, its sends' network stack), null
     *                                   for the backend arm
     * @param roundRequestsPerSecond     each side round's answers per second, in the order they ran
     * @param roundP50Us                 each side round's median latency, in the order they ran
     */
    public record SideRound(String arm, String what, double requestsPerSecond, long p50Us,
            Map<String, Long> byStatus, List<double[]> percentiles, Double proxyUserCpuUsPerRequest,
            Double proxySystemCpuUsPerRequest, List<Double> roundRequestsPerSecond, List<Long> roundP50Us) {
    }

    /**
     * A ratio and its target.
     *
     * @param name   what is divided by what
     * @param value  the ratio (or a difference in microseconds, see {@code unit}), null when an arm is missing
     * @param unit   {@code x} for a ratio, {@code us} for a difference
     * @param target the target, in words ({@code >= 1.0})
     * @param met    whether the target is met; null when there is no value or no target
     * @param note   why there is no value, or how it was measured
     */
    public record Ratio(String name, Double value, String unit, String target, Boolean met, String note) {
    }

    /**
     * The usage-ledger check.
     *
     * @param passed          whether every check held
     * @param expectedByClass answered requests with a registered key, by status class, as the generator saw them
     * @param loggedByClass   {@code api_usage_logs} rows by status class
     * @param unanswered      requests with a registered key that got no answer (their rows may or may not exist)
     * @param keysWithWrongCounts keys whose row counts differ from what the generator saw
     * @param keysWithWrongTotals keys whose {@code api_keys} totals differ from the sums of their rows
     * @param totals          {@code api_keys} totals and the sums of the rows, side by side
     * @param drain           how the wait for metering ended
     * @param findings        the failures in words (empty when passed)
     */
    public record Reconciliation(boolean passed, Map<String, Long> expectedByClass, Map<String, Long> loggedByClass,
            long unanswered, long keysWithWrongCounts, long keysWithWrongTotals, Map<String, String> totals,
            String drain, List<String> findings) {
    }
}
