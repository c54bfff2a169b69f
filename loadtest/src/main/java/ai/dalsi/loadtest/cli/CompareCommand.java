package ai.dalsi.loadtest.cli;

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

/**
 * {@code loadtest.jar compare}: the side-by-side benchmark of the backend alone, nginx and the
 * gateway, with a report in {@code --out}. The database password comes from the environment
 * ({@code GATEWAY_DB_PASSWORD}), never from an option.
 *
 * <pre>
 * java -jar loadtest/target/loadtest.jar compare --duration 20s --rounds 3 --out /tmp/bench
 * </pre>
 */
public final class CompareCommand {

    static final Set<String> FLAGS = Set.of("--no-pin", "--quiet", "--keep-db", "--jfr", "--help");
    static final Set<String> VALUES = Set.of("--out", "--duration", "--rounds", "--rate", "--connections", "--warmup",
            "--side-duration", "--mix", "--key-count", "--over-limit-key-count", "--over-limit-share", "--unknown-share",
            "--malformed-share", "--arms", "--java", "--jvm-opts", "--loadtest-jar", "--backend-args", "--gateway-jar",
            "--nginx", "--db-url", "--db-user", "--model", "--image-model");

    /**
     * The backend answers at once and streams unpaced: the benchmark measures what the proxies add,
     * so the backend must not hide it behind simulated model time.
     */
    static final String DEFAULT_BACKEND_ARGS = "--latency-ms 0 --ttft-ms 0 --tokens-per-second 0 --image-latency-ms 0";

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    public CompareCommand(PrintStream out, PrintStream err) {
        this(out, err, System.getenv());
    }

    CompareCommand(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    public int run(String[] argv) {
        CompareOptions options;
        try {
            Args args = Args.parse(argv, FLAGS, VALUES);
            if (args.flag("--help")) {
                usage(out);
                return 0;
            }
            options = options(args, argv);
        } catch (IllegalArgumentException e) {
            err.println("compare: " + e.getMessage());
            usage(err);
            return 2;
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

    CompareOptions options(Args a, String[] argv) {
        Set<String> arms = new LinkedHashSet<>();
        for (String s : a.string("--arms", "backend,nginx,gateway").split(",")) {
            if (!s.isBlank()) {
                arms.add(s.trim());
            }
        }
        Duration duration = a.duration("--duration", Duration.ofSeconds(20));
        Duration side = a.duration("--side-duration",
                duration.compareTo(Duration.ofSeconds(5)) < 0 ? duration : Duration.ofSeconds(5));
        return new CompareOptions(
                Path.of(a.required("--out")),
                duration,
                a.integer("--rounds", 3),
                a.decimal("--rate", 0),
                a.integer("--connections", 16),
                // Long enough for the gateway's JIT to finish compiling the request path while it
                // shares one core with the backend: 5 s left the first round mostly interpreted.
                a.duration("--warmup", Duration.ofSeconds(30)),
                side,
                a.has("--mix") ? RequestMix.parse(a.string("--mix", null)) : RequestMix.DEFAULT,
                a.integer("--key-count", 100),
                a.integer("--over-limit-key-count", 10),
                a.decimal("--over-limit-share", 0.02),
                a.decimal("--unknown-share", 0.02),
                a.decimal("--malformed-share", 0.02),
                arms,
                !a.flag("--no-pin"),
                a.string("--java", currentJava()),
                words(a.string("--jvm-opts", "-Xms512m -Xmx1g")),
                Path.of(a.string("--loadtest-jar", ownJar())),
                words(a.string("--backend-args", DEFAULT_BACKEND_ARGS)),
                Path.of(a.string("--gateway-jar", "gateway/target/gateway.jar")),
                a.string("--nginx", null),
                a.string("--db-url", env.getOrDefault("GATEWAY_DB_URL", "jdbc:postgresql://127.0.0.1:5432/postgres")),
                a.string("--db-user", env.getOrDefault("GATEWAY_DB_USER", "postgres")),
                env.getOrDefault("GATEWAY_DB_PASSWORD", ""),
                a.flag("--keep-db"),
                a.flag("--jfr"),
                a.string("--model", "dalsi-ai"),
                a.string("--image-model", "dalsi-aivi"),
                a.flag("--quiet"),
                "java -jar loadtest.jar compare " + String.join(" ", argv));
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

    static void usage(PrintStream s) {
        s.println("usage: java -jar loadtest.jar compare --out DIR [options]");
        s.println("  --duration 20s --rounds 3     one measured round per arm per round, interleaved");
        s.println("  --rate R                      open loop at R req/s (default: closed loop, max throughput)");
        s.println("  --connections 16 --warmup 30s --side-duration 5s");
        s.println("  --arms backend,nginx,gateway  which arms to run");
        s.println("  --gateway-jar gateway/target/gateway.jar --loadtest-jar (this jar) --nginx (from PATH)");
        s.println("  --db-url URL --db-user USER   server for the gateway's fresh database (password: GATEWAY_DB_PASSWORD)");
        s.println("  --key-count 100 --over-limit-key-count 10");
        s.println("  --over-limit-share 0.02 --unknown-share 0.02 --malformed-share 0.02 --mix chat=60,...");
        s.println("  --jvm-opts '-Xms512m -Xmx1g' --no-pin --keep-db --quiet");
        s.println("  --jfr                         record the gateway with Flight Recorder into DIR/gateway.jfr");
        s.println("  --backend-args '" + DEFAULT_BACKEND_ARGS + "'");
        s.println("exit code: 0; 1 when the usage ledger does not reconcile; 3 when nothing could run (no backend);");
        s.println("           4 when an arm failed to start or broke (a skipped arm, e.g. no nginx, is not a failure)");
    }
}
