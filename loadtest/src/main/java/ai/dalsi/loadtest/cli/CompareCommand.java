package ai.dalsi.loadtest.cli;

import ai.dalsi.gateway.cli.Cli;
import ai.dalsi.loadtest.LoadtestMain;
import ai.dalsi.loadtest.compare.Compare;
import ai.dalsi.loadtest.compare.CompareOptions;
import ai.dalsi.loadtest.gen.RequestMix;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code loadtest.jar compare}: the side-by-side benchmark of the backend alone, nginx and the
 * gateway, with a report in {@code --out}. The database password comes from the environment
 * ({@code GATEWAY_DB_PASSWORD}), never from an option.
 *
 * <pre>
 * bin/loadtest compare --duration 20s --rounds 3 --out /tmp/bench
 * </pre>
 */
@Command(name = "compare", description = {"Run the same load, in interleaved rounds, against the simulated backend"
        + " alone, nginx in front of it (skipped when nginx is not installed) and the gateway in front of it (on a fresh"
        + " database it creates and drops), check the usage ledger against what the generator saw, and write a report"
        + " (report.md, report.json, latency plots) into --out.",
        "The gateway's database server: --db-url and --db-user (default: GATEWAY_DB_URL, GATEWAY_DB_USER, else the"
                + " local server as postgres); the password only from GATEWAY_DB_PASSWORD."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done, the ledger reconciles", "1:the usage ledger does not reconcile", "2:bad arguments",
            "3:nothing could run (no backend)",
            "4:an arm failed to start or broke (a skipped arm, e.g. no nginx, is not a failure)"})
public final class CompareCommand implements Callable<Integer> {

    /**
     * The backend answers at once and streams unpaced: the benchmark measures what the proxies add,
     * so the backend must not hide it behind simulated model time.
     */
    /** The gateway's JVM options as {@code bin/lib/run-jar} ships them (LauncherOptionsTest keeps the two equal). */
    public static final String GATEWAY_JVM_OPTIONS = "-Xms192m -Xmx192m -XX:MaxDirectMemorySize=256m -XX:+UseSerialGC"
            + " -Dio.netty.leakDetection.level=disabled -Dio.netty.allocator.lowMemory=false";
    /** Lets Netty use {@code sun.misc.Unsafe} on Java 23+, as {@code bin/lib/run-jar} does. */
    public static final String UNSAFE_OPTION = "--sun-misc-unsafe-memory-access=allow";
    /** Transparent huge pages, where the kernel offers them on request, as {@code bin/lib/run-jar} does. */
    public static final String THP_OPTION = "-XX:+UseTransparentHugePages";
    /** The kernel's transparent huge page modes, the current one in brackets. */
    static final Path THP_MODES = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");

    static final String DEFAULT_BACKEND_ARGS = "--latency-ms 0 --ttft-ms 0 --tokens-per-second 0 --image-latency-ms 0";

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "directory for the report, configs"
            + " and logs")
    Path outDir;

    @Option(names = "--duration", paramLabel = "TIME", defaultValue = "20s", converter = DurationConverter.class,
            description = "one measured round per arm (default: ${DEFAULT-VALUE})")
    Duration duration;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "3",
            description = "interleaved rounds, each arm once per round (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "0",
            description = "open loop at R req/s (default: closed loop, max throughput)")
    double rate;

    @Option(names = "--connections", paramLabel = "N", defaultValue = "16",
            description = "connections of the main rounds (default: ${DEFAULT-VALUE})")
    int connections;

    // Long enough for the gateway's JIT to finish compiling the request path while it shares one core
    // with the backend: 5 s left the first round mostly interpreted.
    @Option(names = "--warmup", paramLabel = "TIME", defaultValue = "30s", converter = DurationConverter.class,
            description = "closed-loop warm-up per arm before the first round (default: ${DEFAULT-VALUE})")
    Duration warmup;

    // Between its rounds an arm idles while the other arms run, then takes new connections: a
    // JIT-compiled gateway then throws away part of its compiled request path (uncommon traps at the
    // first requests) and recompiles it in the round's first seconds. In a profiled one-round run
    // after a 40 s warm-up the compiler took 10% of the round's samples without this run and 6% with
    // it; in three reference runs (3 rounds, 60 s warm-up; with, without, with) it moved neither the
    // gateway's ratios to nginx's rate nor to its CPU per request, so it is off by default and
    // reference runs keep their method.
    @Option(names = "--round-warmup", paramLabel = "TIME", defaultValue = "0s", converter = DurationConverter.class,
            description = "unmeasured run of the main rounds' shape before each arm's measured round,"
                    + " e.g. for a profile of the steady state (default: none)")
    Duration roundWarmup;

    @Option(names = "--side-duration", paramLabel = "TIME", converter = DurationConverter.class,
            description = "the one-connection and reject rounds (default: 5s, or --duration if shorter)")
    Duration sideDuration;

    // A reject round changes what the gateway's hot code sees (every request refused instead of a
    // few), and a JIT that recompiles for it spends the first seconds of a 5 s round doing so.
    @Option(names = "--side-warmup", paramLabel = "TIME", converter = DurationConverter.class,
            description = "unmeasured run of the same shape before each one-connection and reject round"
                    + " (default: the side rounds' length; 0 for none)")
    Duration sideWarmup;

    // One 5 s side round per arm measured two JVMs of the same jar, in one run, at 0.79x of each
    // other on the 401 path; the host's speed also drifts within minutes. Several rounds per kind,
    // the arms taking turns, put both arms of a ratio through the same minutes.
    @Option(names = "--side-rounds", paramLabel = "N", defaultValue = "3",
            description = "one-connection and reject rounds of each kind per arm, the arms taking turns"
                    + " (default: ${DEFAULT-VALUE})")
    int sideRounds;

    @Option(names = "--mix", paramLabel = "KIND=W,...",
            description = "request mix (default: chat=60,stream=20,completion=10,image=5,models=5)")
    String mix;

    @Option(names = "--key-count", paramLabel = "N", defaultValue = "100",
            description = "registered keys with ample limits, per arm (default: ${DEFAULT-VALUE})")
    int keyCount;

    @Option(names = "--over-limit-key-count", paramLabel = "N", defaultValue = "10",
            description = "keys limited to one request a minute, per arm (default: ${DEFAULT-VALUE})")
    int overLimitKeyCount;

    @Option(names = "--over-limit-share", paramLabel = "SHARE", defaultValue = "0.02",
            description = "share of requests with an over-limit key (default: ${DEFAULT-VALUE})")
    double overLimitShare;

    @Option(names = "--unknown-share", paramLabel = "SHARE", defaultValue = "0.02",
            description = "share with a well-formed unknown key (default: ${DEFAULT-VALUE})")
    double unknownShare;

    @Option(names = "--malformed-share", paramLabel = "SHARE", defaultValue = "0.02",
            description = "share with a malformed key (default: ${DEFAULT-VALUE})")
    double malformedShare;

    @Option(names = "--arms", paramLabel = "ARM,...", defaultValue = "backend,nginx,gateway",
            description = "which arms to run: backend, nginx, gateway (limits in its memory), gateway-redis (limits in"
                    + " Redis at --redis-url), gateway-baseline (--baseline-jar) (default: ${DEFAULT-VALUE})")
    String arms;

    @Option(names = "--no-pin", description = "do not pin the processes to CPUs with taskset")
    boolean noPin;

    @Option(names = "--java", paramLabel = "JAVA", description = "java of the child JVMs (default: this JVM's)")
    String java;

    @Option(names = "--jvm-opts", paramLabel = "OPTIONS", description = "options of the child JVMs (default: the"
            + " gateway's from bin/lib/run-jar, " + GATEWAY_JVM_OPTIONS + ", " + UNSAFE_OPTION + " on Java 23+, and "
            + THP_OPTION + " where the kernel offers transparent huge pages on request)")
    String jvmOpts;

    @Option(names = "--loadtest-jar", paramLabel = "JAR", description = "the jar whose backend command runs the"
            + " simulated backend (default: this jar)")
    Path loadtestJar;

    @Option(names = "--backend-args", paramLabel = "ARGS", defaultValue = DEFAULT_BACKEND_ARGS,
            description = "options of the simulated backend (default: ${DEFAULT-VALUE})")
    String backendArgs;

    @Option(names = "--gateway-jar", paramLabel = "JAR", defaultValue = "gateway/target/gateway.jar",
            description = "the gateway's runnable jar (default: ${DEFAULT-VALUE})")
    Path gatewayJar;

    @Option(names = "--nginx", paramLabel = "PATH", description = "the nginx binary (default: nginx on the PATH)")
    String nginx;

    @Option(names = "--db-url", paramLabel = "URL", description = "JDBC URL of a database on the server where the"
            + " gateway's fresh database is created")
    String dbUrl;

    @Option(names = "--db-user", paramLabel = "USER", description = "database user")
    String dbUser;

    @Option(names = "--model", paramLabel = "MODEL", defaultValue = "dalsi-ai",
            description = "model of chat and completion requests (default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--image-model", paramLabel = "MODEL", defaultValue = "dalsi-aivi",
            description = "model of image requests (default: ${DEFAULT-VALUE})")
    String imageModel;

    @Option(names = "--keep-db", description = "leave the gateway's database in place for inspection")
    boolean keepDb;

    @Option(names = "--jfr", description = "record each gateway arm with Flight Recorder into DIR/ARM.jfr")
    boolean jfr;

    @Option(names = "--profile", paramLabel = "cpu|alloc", description = "sample each gateway arm with async-profiler"
            + " during the measured rounds (CPU time, or heap allocations by bytes) into the flame graph DIR/ARM-EVENT.html,"
            + " and during its measured side rounds into one per kind: DIR/ARM-EVENT-one-connection.html, -bad-key, -over-limit")
    String profile;

    @Option(names = "--redis-url", paramLabel = "URL", defaultValue = "redis://127.0.0.1:6379",
            description = "Redis of the gateway-redis arm, which keeps key limits there as every node of a cluster"
                    + " does (default: ${DEFAULT-VALUE}); its keys under a prefix of their own")
    String redisUrl;

    @Option(names = "--baseline-jar", paramLabel = "JAR", description = "another build of gateway.jar (e.g. the"
            + " commit before a change) for the gateway-baseline arm, which --arms must name; measured in the same"
            + " interleaved rounds as the gateway arm")
    Path baselineJar;

    @Option(names = "--baseline-jvm-opts", paramLabel = "OPTIONS", description = "options of the gateway-baseline"
            + " arm's JVM (default: those of the other child JVMs)")
    String baselineJvmOpts;

    @Option(names = "--quiet", description = "no progress lines")
    boolean quiet;

    public CompareCommand(PrintStream out, PrintStream err) {
        this(out, err, System.getenv());
    }

    CompareCommand(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    @Override
    public Integer call() {
        CompareOptions options;
        try {
            options = options();
        } catch (IllegalArgumentException e) {
            throw Cli.badArgument(spec, e.getMessage());
        }
        try {
            return Compare.run(options, out, err);
        } catch (IOException e) {
            err.println("compare: " + e.getMessage());
            return Compare.CANNOT_RUN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    CompareOptions options() {
        Set<String> armSet = new LinkedHashSet<>();
        for (String s : arms.split(",")) {
            if (!s.isBlank()) {
                armSet.add(s.trim());
            }
        }
        Duration side = sideDuration != null ? sideDuration
                : duration.compareTo(Duration.ofSeconds(5)) < 0 ? duration : Duration.ofSeconds(5);
        return new CompareOptions(
                outDir,
                duration,
                rounds,
                rate,
                connections,
                warmup,
                roundWarmup,
                side,
                sideWarmup != null ? sideWarmup : side,
                sideRounds,
                mix != null ? RequestMix.parse(mix) : RequestMix.DEFAULT,
                keyCount,
                overLimitKeyCount,
                overLimitShare,
                unknownShare,
                malformedShare,
                armSet,
                !noPin,
                java != null ? java : currentJava(),
                jvmOpts != null ? words(jvmOpts)
                        : launcherOptions(java == null ? Runtime.version().feature() : 0, hugePagesOnRequest(THP_MODES)),
                loadtestJar != null ? loadtestJar : Path.of(ownJar()),
                words(backendArgs),
                gatewayJar,
                nginx,
                dbUrl != null ? dbUrl : env.getOrDefault("GATEWAY_DB_URL", "jdbc:postgresql://127.0.0.1:5432/postgres"),
                dbUser != null ? dbUser : env.getOrDefault("GATEWAY_DB_USER", "postgres"),
                env.getOrDefault("GATEWAY_DB_PASSWORD", ""),
                keepDb,
                jfr,
                model,
                imageModel,
                quiet,
                "bin/loadtest " + spec.commandLine().getParseResult().originalArgs().stream()
                        .map(a -> a.isEmpty() || a.matches(".*[\\s\"'].*") ? "\"" + a.replace("\"", "\\\"") + "\"" : a)
                        .collect(Collectors.joining(" ")),
                redisUrl,
                baselineJar,
                baselineJvmOpts != null ? words(baselineJvmOpts) : null,
                profile);
    }

    /**
     * The launcher's gateway options; the Unsafe one only when the child JVMs are known to be Java
     * 23+ ({@code feature}: their version, 0 when another java was given and its version is unknown),
     * and the huge pages one when {@code hugePages} ({@link #hugePagesOnRequest}).
     */
    static List<String> launcherOptions(int feature, boolean hugePages) {
        List<String> options = new java.util.ArrayList<>(words(GATEWAY_JVM_OPTIONS));
        if (feature >= 23) {
            options.add(UNSAFE_OPTION);
        }
        if (hugePages) {
            options.add(THP_OPTION);
        }
        return options;
    }

    /**
     * Whether the kernel gives transparent huge pages to a process that asks (mode {@code madvise} or
     * {@code always} in {@code modes}), the test {@code bin/lib/run-jar} makes; false when the file
     * is missing or unreadable.
     */
    static boolean hugePagesOnRequest(Path modes) {
        try {
            String s = Files.readString(modes);
            return s.contains("[madvise]") || s.contains("[always]");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static List<String> words(String s) {
        return Arrays.stream(s.trim().split("\\s+")).filter(w -> !w.isEmpty()).toList();
    }

    /** The java of this JVM, so child JVMs run on the same runtime. */
    private static String currentJava() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** This jar when running from one; otherwise the built jar in the usual place. */
    private static String ownJar() {
        try {
            Path p = Path.of(LoadtestMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isRegularFile(p) && p.toString().endsWith(".jar")) {
                return p.toString();
            }
        } catch (Exception e) {
            // fall through
        }
        return "loadtest/target/loadtest.jar";
    }
}
