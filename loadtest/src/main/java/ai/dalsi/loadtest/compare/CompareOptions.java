package ai.dalsi.loadtest.compare;

import ai.dalsi.loadtest.gen.KeySet;
import ai.dalsi.loadtest.gen.RequestMix;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * What {@code compare} runs. Validated on construction; errors name the option.
 *
 * @param out             directory for the report, configs and logs
 * @param duration        length of one measured round per arm
 * @param rounds          interleaved rounds (each arm once per round)
 * @param rate            open-loop rate of the main rounds; 0 means closed loop at max throughput
 * @param connections     connections of the main and reject rounds
 * @param warmup          closed-loop warm-up per arm before the first round (JIT, caches, pools)
 * @param roundWarmup     unmeasured run of the main rounds' shape before each arm's measured round, or zero
 * @param sideDuration    length of the one-connection and reject rounds
 * @param sideWarmup      unmeasured run of the same shape before each one-connection and reject round, or zero
 * @param sideRounds      one-connection and reject rounds of each kind per arm, the arms taking turns
 * @param mix             request mix of the main and one-connection rounds
 * @param knownKeys       registered keys with ample limits, per arm
 * @param overLimitKeys   registered keys limited to one request per minute, per arm
 * @param overLimitShare  share of main-round requests with an over-limit key
 * @param unknownShare    share with a well-formed unknown key
 * @param malformedShare  share with a malformed key
 * @param arms            which arms to run: backend, nginx, gateway, gateway-redis
 * @param pin             pin processes to CPUs with taskset when possible
 * @param java            java executable for the child JVMs
 * @param jvmOptions      options of the child JVMs (backend, gateway)
 * @param loadtestJar     the jar whose {@code backend} command runs the simulated backend
 * @param backendArgs     extra arguments of the backend command
 * @param gatewayJar      the gateway's runnable jar
 * @param nginx           the nginx binary, or null to look for it on the PATH
 * @param dbUrl           JDBC URL of a database on the server where the gateway's fresh database is created
 * @param dbUser          database user
 * @param dbPassword      database password (from the environment, never an option)
 * @param keepDatabase    leave the gateway's database in place for inspection
 * @param jfr             record the gateway JVM with Java Flight Recorder into {@code out/gateway.jfr}
 * @param textModel       model of chat and completion requests
 * @param imageModel      model of image requests
 * @param quiet           no progress lines
 * @param commandLine     the command as typed, for the report
 * @param redisUrl        the Redis of the gateway-redis arm (its keys under a prefix of their own)
 * @param baselineJar     the gateway-baseline arm's jar (another build of the gateway), or null
 * @param baselineJvmOptions options of the gateway-baseline arm's JVM
 * @param profile         async-profiler event sampled in the gateway arms during the measured rounds, and
 *                        during each kind of measured side round into a flame graph of its own
 *                        ({@code cpu} or {@code alloc}), or null for none
 */
public record CompareOptions(
        Path out,
        Duration duration,
        int rounds,
        double rate,
        int connections,
        Duration warmup,
        Duration roundWarmup,
        Duration sideDuration,
        Duration sideWarmup,
        int sideRounds,
        RequestMix mix,
        int knownKeys,
        int overLimitKeys,
        double overLimitShare,
        double unknownShare,
        double malformedShare,
        Set<String> arms,
        boolean pin,
        String java,
        List<String> jvmOptions,
        Path loadtestJar,
        List<String> backendArgs,
        Path gatewayJar,
        String nginx,
        String dbUrl,
        String dbUser,
        String dbPassword,
        boolean keepDatabase,
        boolean jfr,
        String textModel,
        String imageModel,
        boolean quiet,
        String commandLine,
        String redisUrl,
        Path baselineJar,
        List<String> baselineJvmOptions,
        String profile) {

    /** glibc's malloc arenas of a gateway arm's process, as {@code bin/lib/run-jar} sets them for bin/gateway. */
    public static final String GATEWAY_MALLOC_ARENA_MAX = "2";

    public static final Set<String> ARM_NAMES = Set.copyOf(ai.dalsi.loadtest.report.BenchReport.ARMS);

    public CompareOptions {
        if (out == null) {
            throw new IllegalArgumentException("--out: required");
        }
        positive("--duration", duration);
        positive("--side-duration", sideDuration);
        notNegative("--warmup", warmup);
        notNegative("--round-warmup", roundWarmup);
        notNegative("--side-warmup", sideWarmup);
        if (rounds < 1) {
            throw new IllegalArgumentException("--rounds: " + rounds + " (expected: >= 1)");
        }
        if (sideRounds < 1) {
            throw new IllegalArgumentException("--side-rounds: " + sideRounds + " (expected: >= 1)");
        }
        if (rate < 0) {
            throw new IllegalArgumentException("--rate: " + rate + " (expected: > 0, or leave it out for max throughput)");
        }
        if (connections < 1) {
            throw new IllegalArgumentException("--connections: " + connections + " (expected: >= 1)");
        }
        if (knownKeys < 1) {
            throw new IllegalArgumentException("--key-count: " + knownKeys + " (expected: >= 1)");
        }
        if (overLimitKeys < 1) {
            throw new IllegalArgumentException("--over-limit-key-count: " + overLimitKeys + " (expected: >= 1)");
        }
        // Checked here, before a process starts, as the key set the load is drawn from checks them.
        KeySet.checkShares(overLimitShare, unknownShare, malformedShare);
        if (arms.isEmpty() || !ARM_NAMES.containsAll(arms)) {
            throw new IllegalArgumentException("--arms: " + arms + " (expected: some of "
                    + String.join(", ", ai.dalsi.loadtest.report.BenchReport.ARMS) + ")");
        }
        if (!textModel.matches("[A-Za-z0-9._\\-]+") || !imageModel.matches("[A-Za-z0-9._\\-]+")) {
            throw new IllegalArgumentException("--model/--image-model: letters, digits, '.', '_' and '-' only");
        }
        if (arms.contains(ai.dalsi.loadtest.report.BenchReport.GATEWAY_REDIS)
                && (redisUrl == null || !redisUrl.matches("(redis|rediss|redis-sentinel|redis-cluster)://.+"))) {
            throw new IllegalArgumentException("--redis-url: " + redisUrl
                    + " (expected: redis://host:port, rediss://, redis-sentinel:// or redis-cluster://)");
        }
        if (profile != null && !Profiler.EVENTS.contains(profile)) {
            throw new IllegalArgumentException("--profile: " + profile + " (expected: one of " + Profiler.EVENTS + ")");
        }
        if (arms.contains(ai.dalsi.loadtest.report.BenchReport.GATEWAY_BASELINE) && baselineJar == null) {
            throw new IllegalArgumentException("--baseline-jar: required by the gateway-baseline arm");
        }
        jvmOptions = List.copyOf(jvmOptions);
        baselineJvmOptions = baselineJvmOptions == null ? jvmOptions : List.copyOf(baselineJvmOptions);
        backendArgs = List.copyOf(backendArgs);
        arms = Set.copyOf(arms);
    }

    private static void notNegative(String option, Duration d) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(option + ": " + d + " (expected: >= 0)");
        }
    }

    private static void positive(String option, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(option + ": " + d + " (expected: > 0)");
        }
    }

    /** Whether the main rounds are open loop. */
    public boolean openLoop() {
        return rate > 0;
    }
}
