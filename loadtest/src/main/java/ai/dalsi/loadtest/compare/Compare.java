package ai.dalsi.loadtest.compare;

import ai.dalsi.gateway.auth.ApiKeyFormat;
import ai.dalsi.gateway.auth.KeyEnvironment;
import ai.dalsi.loadtest.cli.ProgressLine;
import ai.dalsi.loadtest.cli.Summary;
import ai.dalsi.loadtest.gen.KeySet;
import ai.dalsi.loadtest.gen.LoadGenerator;
import ai.dalsi.loadtest.gen.LoadSpec;
import ai.dalsi.loadtest.gen.RequestKind;
import ai.dalsi.loadtest.gen.RequestMix;
import ai.dalsi.loadtest.gen.RunResult;
import ai.dalsi.loadtest.gen.StatusClass;
import ai.dalsi.loadtest.reconcile.Reconciler;
import ai.dalsi.loadtest.report.BenchReport;
import ai.dalsi.loadtest.report.BenchReport.Arm;
import ai.dalsi.loadtest.report.BenchReport.Reconciliation;
import ai.dalsi.loadtest.report.BenchReport.SideRound;
import ai.dalsi.loadtest.report.Curves;
import ai.dalsi.loadtest.report.Ratios;
import ai.dalsi.loadtest.report.ReportWriter;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.HdrHistogram.Histogram;
import org.postgresql.Driver;

/**
 * {@code compare}: the same load against the backend alone, nginx in front of it and the gateway
 * in front of it (with its limits in its own memory, and with them in Redis as in a cluster), in
 * interleaved rounds (each round runs every arm once, so drift on the machine
 * hits all arms alike), then short rounds at one connection and on the reject paths, then the
 * usage reconciliation, then the report.
 */
public final class Compare {

    /** Exit code when the usage ledger does not match what the generator saw. */
    public static final int RECONCILIATION_FAILED = 1;
    /** Exit code when an arm failed to start or broke during the run (a skipped arm is not a failure). */
    public static final int ARM_FAILED = 4;
    /** Exit code when the run could not happen at all (no backend). */
    public static final int CANNOT_RUN = 3;
    /**
     * The share of a round above which the generator's wait for its CPU is worth a note: at 5% its
     * connections are noticeably held back.
     */
    static final double RUN_QUEUE_NOTE = 0.05;

    private final CompareOptions o;
    private final PrintStream out;
    private final PrintStream err;
    private final ProcFs proc = ProcFs.open();
    /** The postmasters of this machine's PostgreSQL when the gateways' database is here, else none. */
    private List<Long> databaseServers = List.of();
    /** Per gateway arm: what it answered each registered key (by key hash), for its reconciliation. */
    private final Map<String, Map<String, long[]>> gatewayAnswers = new HashMap<>();
    private final List<String> notes = new ArrayList<>();
    private String host;

    private Compare(CompareOptions o, PrintStream out, PrintStream err) {
        this.o = o;
        this.out = out;
        this.err = err;
    }

    public static int run(CompareOptions o, PrintStream out, PrintStream err) throws IOException, InterruptedException {
        return new Compare(o, out, err).execute();
    }

    /** What one arm accumulated over its main rounds. */
    private static final class ArmRounds {
        final Target target;
        final Histogram latency = new Histogram(3);
        final Map<RequestKind, Histogram> latencyByKind = new EnumMap<>(RequestKind.class);
        final Map<String, Long> byStatus = new TreeMap<>();
        final List<Double> roundRps = new ArrayList<>();
        long answered;
        double seconds;
        long proxyCpuUs;
        long backendCpuUs;
        long databaseCpuUs;
        /** Why the arm stopped working during the run, or null. */
        String failure;

        ArmRounds(Target target) {
            this.target = target;
        }
    }

    private int execute() throws IOException, InterruptedException {
        Path dir = o.out();
        Files.createDirectories(dir.resolve("logs"));
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        host = host(); // before pinning: afterwards this JVM sees one CPU
        databaseServers = isOnThisMachine(o.dbUrl()) ? proc.postgresServers() : List.of();
        Pinning pinning = Pinning.detect(o.pin());
        pinning.pinSelf();
        info("pinning: " + pinning.description());

        SecureRandom random = new SecureRandom();
        List<String> localKnown = new ArrayList<>();
        for (int i = 0; i < o.knownKeys(); i++) {
            localKnown.add(ApiKeyFormat.generate(KeyEnvironment.PRODUCTION, random));
        }
        List<String> localOver = new ArrayList<>();
        for (int i = 0; i < o.overLimitKeys(); i++) {
            localOver.add(ApiKeyFormat.generate(KeyEnvironment.PRODUCTION, random));
        }

        List<Arm> armReports = new ArrayList<>();
        List<SideRound> oneConnection = new ArrayList<>();
        List<SideRound> rejects = new ArrayList<>();
        Map<String, Reconciliation> reconciliations = new LinkedHashMap<>();
        int exit = 0;

        BackendProcess backend;
        try {
            info("starting the backend: " + o.loadtestJar() + " backend");
            backend = BackendProcess.start(o, pinning, dir);
        } catch (IOException e) {
            err.println("compare: the backend did not start: " + e.getMessage());
            for (String name : BenchReport.ARMS) {
                if (o.arms().contains(name)) {
                    armReports.add(Arm.failed(name, "the backend did not start: " + firstLine(e.getMessage())));
                }
            }
            write(dir, started, pinning, armReports, oneConnection, rejects, reconciliations);
            return CANNOT_RUN;
        }
        List<Target> targets = new java.util.concurrent.CopyOnWriteArrayList<>();
        // Ctrl-C must not leave a backend, nginx or gateway running, or a database behind.
        Thread cleanup = new Thread(() -> {
            targets.forEach(Target::close);
            backend.close();
        }, "compare-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        List<GatewayArm> gateways = new ArrayList<>();
        try {
            Map<String, Arm> unavailable = new LinkedHashMap<>();
            if (o.arms().contains(BenchReport.BACKEND)) {
                targets.add(backend.asArm(localKnown, localOver));
            }
            if (o.arms().contains(BenchReport.NGINX)) {
                try {
                    String bin = NginxArm.binary(o.nginx());
                    info("starting nginx: " + bin);
                    targets.add(NginxArm.start(bin, dir, backend.port(), localKnown, localOver, pinning));
                } catch (ArmUnavailable e) {
                    info("nginx arm skipped: " + e.getMessage());
                    unavailable.put(BenchReport.NGINX, Arm.skipped(BenchReport.NGINX, e.getMessage()));
                } catch (IOException e) {
                    err.println("compare: the nginx arm failed to start: " + e.getMessage());
                    unavailable.put(BenchReport.NGINX, Arm.failed(BenchReport.NGINX, firstLine(e.getMessage())));
                }
            }
            for (String name : List.of(BenchReport.GATEWAY_BASELINE, BenchReport.GATEWAY, BenchReport.GATEWAY_REDIS)) {
                if (!o.arms().contains(name)) {
                    continue;
                }
                String redis = name.equals(BenchReport.GATEWAY_REDIS) ? o.redisUrl() : null;
                boolean baseline = name.equals(BenchReport.GATEWAY_BASELINE);
                Path jar = baseline ? o.baselineJar() : o.gatewayJar();
                try {
                    GatewayArm.preflight(o, jar);
                    info("starting " + name + ": " + jar + " serve, with a fresh database and "
                            + (redis == null ? "the local limiter" : "the Redis limiter (" + redis + ")"));
                    GatewayArm arm = GatewayArm.start(name, jar, baseline ? o.baselineJvmOptions() : o.jvmOptions(),
                            redis, o, pinning, dir, backend.url(), o.knownKeys(), o.overLimitKeys());
                    targets.add(arm);
                    gateways.add(arm);
                } catch (ArmUnavailable e) {
                    info(name + " arm skipped: " + e.getMessage());
                    unavailable.put(name, Arm.skipped(name, e.getMessage()));
                } catch (IOException e) {
                    err.println("compare: the " + name + " arm failed to start: " + e.getMessage());
                    unavailable.put(name, Arm.failed(name, firstLine(e.getMessage())));
                }
            }

            LoadSpec main = mainSpec();
            Map<String, ArmRounds> rounds = new LinkedHashMap<>();
            for (Target t : targets) {
                rounds.put(t.name(), new ArmRounds(t));
            }
            if (!o.warmup().isZero()) {
                // Two runs, the second on new connections: every measured round opens its own, and a JIT
                // that compiled the request path while no connection opened recompiles it when one does.
                Duration half = o.warmup().dividedBy(2);
                for (ArmRounds a : rounds.values()) {
                    Target t = a.target;
                    for (Duration part : List.of(half, o.warmup().minus(half))) {
                        LoadSpec warm = main.withPacing(LoadSpec.Mode.CLOSED, 0, o.connections(), part);
                        RunResult r = guarded(a, warm, mainKeys(t), "warm-up " + t.name());
                        if (r != null) {
                            info(String.format(Locale.ROOT, "warm-up %-8s %8.0f req/s", t.name(), r.throughput()));
                        }
                    }
                }
                notes.add("warm-up: " + seconds(o.warmup()) + " closed loop per arm before the first round (not measured),"
                        + " in two runs of half that, the second on new connections");
            }
            if (!gateways.isEmpty()) {
                notes.add("settling: before every measured round, each gateway's ledger caught up with its answers,"
                        + " then PostgreSQL CHECKPOINT and sync, so that no arm pays for the writes of the arm before it");
            }

            if (!o.roundWarmup().isZero()) {
                notes.add("round warm-up: before each measured main round, an unmeasured " + seconds(o.roundWarmup())
                        + " run of its shape against the same arm, which has idled through the other arms' rounds");
            }
            Profiler profiler = profiler(dir, gateways);
            for (int round = 1; round <= o.rounds(); round++) {
                for (ArmRounds a : rounds.values()) {
                    if (!o.roundWarmup().isZero()) {
                        guarded(a, main.withPacing(main.mode(), main.rate(), main.connections(), o.roundWarmup()),
                                mainKeys(a.target), "warm-up round " + round + "/" + o.rounds() + " " + a.target.name());
                    }
                    settle(gateways);
                    sampling(profiler, a.target, true);
                    measureRound(a, main, backend, round);
                    sampling(profiler, a.target, false);
                }
            }
            if (profiler != null) {
                writeProfiles(profiler, gateways, "", "the measured rounds");
            }

            // The side rounds, kind by kind: the arms take turns, one round each, --side-rounds times, so
            // that two arms compared in a ratio ran seconds apart, and a host whose speed drifts within
            // minutes moves both. Each arm's rounds of a kind are summed into one report row.
            LoadSpec one = main.withPacing(LoadSpec.Mode.CLOSED, 0, 1, o.sideDuration());
            takingTurns("one connection", rounds.values(), one, this::mainKeys, gateways, profiler,
                    (arm, m) -> String.format(Locale.ROOT, "one connection %-8s p50 %s", arm,
                            Summary.micros(m.result().latency().getValueAtPercentile(50))))
                    .forEach((arm, totals) -> oneConnection.add(totals.report(arm, "one-connection")));
            LoadSpec reject = main.withPacing(LoadSpec.Mode.CLOSED, 0, o.connections(), o.sideDuration());
            List<ArmRounds> proxies = rounds.values().stream().filter(a -> a.target.proxyPid() >= 0).toList();
            for (String what : List.of("bad-key", "over-limit")) {
                Function<Target, KeySet> keys = what.equals("bad-key")
                        ? t -> KeySet.of(t.knownKeys(), t.overLimitKeys(), 0, 1, 0)
                        : t -> KeySet.of(t.knownKeys(), t.overLimitKeys(), 1, 0, 0);
                takingTurns(what, proxies, reject, keys, gateways, profiler,
                        (arm, m) -> String.format(Locale.ROOT, "%-10s %-8s %8.0f req/s %s", what, arm,
                                m.result().throughput(), m.result().byStatus()))
                        .forEach((arm, totals) -> rejects.add(totals.report(arm, what)));
            }

            for (String name : BenchReport.ARMS) {
                if (!o.arms().contains(name)) {
                    continue;
                }
                ArmRounds a = rounds.get(name);
                armReports.add(a == null ? unavailable.get(name)
                        : a.failure != null ? Arm.failed(name, a.failure) : armReport(a, backend));
            }

            for (GatewayArm gateway : gateways) {
                ArmRounds gatewayRounds = rounds.get(gateway.name());
                Reconciliation rec;
                if (gatewayRounds.failure != null) {
                    rec = new Reconciliation(false, Map.of(), Map.of(), 0, 0, 0, Map.of(), "not checked",
                            List.of("the " + gateway.name() + " arm failed during the run: " + gatewayRounds.failure));
                } else {
                    rec = reconcile(gateway);
                    info("reconciliation " + gateway.name() + ": "
                            + (rec.passed() ? "PASS" : "FAIL " + rec.findings()));
                }
                reconciliations.put(gateway.name(), rec);
                if (!rec.passed()) {
                    exit = RECONCILIATION_FAILED;
                }
            }
        } finally {
            for (Target t : targets) {
                t.close();
            }
            backend.close();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // already shutting down: the hook is running or has run
            }
        }
        if (exit == 0 && armReports.stream().anyMatch(a -> "failed".equals(a.status()))) {
            exit = ARM_FAILED;
        }
        List<Path> files = write(dir, started, pinning, armReports, oneConnection, rejects, reconciliations);
        out.print(Files.readString(dir.resolve("report.md")).lines()
                .dropWhile(l -> !l.startsWith("## Ratios")).takeWhile(l -> !l.startsWith("## Latency by"))
                .reduce("", (x, y) -> x + y + "\n"));
        out.println("wrote " + files.stream().map(Path::toString).reduce((x, y) -> x + ", " + y).orElse(""));
        return exit;
    }

    /**
     * Loads async-profiler into every gateway arm, paused, when {@code --profile} asks; null when not,
     * or when it cannot. Each arm's measured rounds resume it, and only those.
     */
    private Profiler profiler(Path dir, List<GatewayArm> gateways) {
        if (o.profile() == null || gateways.isEmpty()) {
            return null;
        }
        try {
            Profiler p = Profiler.prepare(o.profile(), o.java(), dir);
            startPaused(p, gateways);
            info("profiling " + o.profile() + " in " + gateways.stream().map(Target::name).toList());
            return p;
        } catch (IOException e) {
            err.println("compare: no profile: " + firstLine(e.getMessage()));
            return null;
        }
    }

    /**
     * A new profile of every gateway arm, paused, for one kind of side round (each kind its own flame
     * graph: a refusal's path is not the proxied one, and the main rounds' profile does not show it);
     * null when the run is not profiled or the profiler cannot start again.
     */
    private Profiler sideProfile(Profiler profiler, List<GatewayArm> gateways) {
        if (profiler == null) {
            return null;
        }
        try {
            startPaused(profiler, gateways);
            return profiler;
        } catch (IOException e) {
            err.println("compare: no side-round profile: " + firstLine(e.getMessage()));
            return null;
        }
    }

    /** Starts a new profile in every gateway arm, paused until a measured round resumes it. */
    private static void startPaused(Profiler profiler, List<GatewayArm> gateways) throws IOException {
        for (GatewayArm g : gateways) {
            profiler.start(g.proxyPid());
            profiler.pause(g.proxyPid());
        }
    }

    /**
     * Stops each gateway arm's profile and writes its flame graph, {@code <arm>-<event><suffix>.html}
     * in the report's directory, named in the report's notes with what it sampled ({@code during}).
     */
    private void writeProfiles(Profiler profiler, List<GatewayArm> gateways, String suffix, String during) {
        for (GatewayArm g : gateways) {
            Path html = o.out().resolve(g.name() + "-" + profiler.event() + suffix + ".html");
            try {
                profiler.stop(g.proxyPid(), html);
                notes.add("profile: async-profiler " + profiler.event() + " of " + g.name() + " during " + during
                        + ", " + html.getFileName());
            } catch (IOException e) {
                err.println("compare: " + firstLine(e.getMessage()));
            }
        }
    }

    /** Resumes or pauses the profile of a gateway arm; a failure is reported and the run goes on. */
    private void sampling(Profiler profiler, Target t, boolean on) {
        if (profiler == null || !(t instanceof GatewayArm)) {
            return;
        }
        try {
            if (on) {
                profiler.resume(t.proxyPid());
            } else {
                profiler.pause(t.proxyPid());
            }
        } catch (IOException e) {
            err.println("compare: " + firstLine(e.getMessage()));
        }
    }

    /** The keys of the main rounds: the arm's own, in the configured shares. */
    private KeySet mainKeys(Target t) {
        return KeySet.of(t.knownKeys(), t.overLimitKeys(), o.overLimitShare(), o.unknownShare(), o.malformedShare());
    }

    /** The main rounds' load, aimed at no arm yet: {@link #load} sets the target and the keys. */
    private LoadSpec mainSpec() {
        KeySet none = KeySet.of(List.of(), List.of(), 0, 0, 1);
        LoadSpec.Mode mode = o.openLoop() ? LoadSpec.Mode.OPEN : LoadSpec.Mode.CLOSED;
        return new LoadSpec(java.net.URI.create("http://127.0.0.1:1"), mode, o.rate(), o.duration(), 0, o.connections(), 1,
                o.mix(), none, o.textModel(), o.imageModel(), Duration.ofSeconds(10), Duration.ofSeconds(5), 42);
    }

    private void measureRound(ArmRounds a, LoadSpec main, BackendProcess backend, int round)
            throws IOException, InterruptedException {
        Target t = a.target;
        long proxyBefore = t.proxyPid() < 0 ? 0 : proc.cpuMicros(t.proxyPid());
        long backendBefore = proc.cpuMicros(backend.pid());
        long databaseBefore = proc.cpuMicros(databaseServers);
        RunResult r = guarded(a, main, mainKeys(t), "round " + round + "/" + o.rounds() + " " + t.name());
        if (r == null) {
            return;
        }
        long proxyAfter = t.proxyPid() < 0 ? 0 : proc.cpuMicros(t.proxyPid());
        long backendAfter = proc.cpuMicros(backend.pid());
        a.databaseCpuUs += proc.cpuMicros(databaseServers) - databaseBefore;
        a.proxyCpuUs += proxyAfter - proxyBefore;
        a.backendCpuUs += backendAfter - backendBefore;
        a.latency.add(r.latency());
        r.latencyByKind().forEach((k, h) -> a.latencyByKind.computeIfAbsent(k, x -> new Histogram(3)).add(h));
        a.answered += r.completed();
        a.seconds += r.elapsed().toNanos() / 1e9;
        a.roundRps.add(r.throughput());
        r.byStatus().forEach((s, n) -> a.byStatus.merge(s == 0 ? "none" : s.toString(), n, Long::sum));
        if (r.unfinished() > 0) {
            a.byStatus.merge("unfinished", r.unfinished(), Long::sum);
        }
        info(String.format(Locale.ROOT, "round %d/%d %-8s %8.0f req/s  p50 %s  p99 %s  %s", round, o.rounds(), t.name(),
                r.throughput(), Summary.micros(r.latency().getValueAtPercentile(50)),
                Summary.micros(r.latency().getValueAtPercentile(99)), r.byStatus()));
    }

    /**
     * A one-connection or reject round: first, unless {@code --side-warmup} is 0, an unmeasured run of the
     * same shape, so that an arm with a JIT is measured on code compiled for this traffic rather than
     * while it recompiles for it; then the settled, measured run.
     */
    private Measured sideRound(ArmRounds a, LoadSpec spec, KeySet keys, String label, List<GatewayArm> gateways,
            Profiler profiler) throws InterruptedException {
        if (!o.sideWarmup().isZero()) {
            guarded(a, spec.withPacing(spec.mode(), spec.rate(), spec.connections(), o.sideWarmup()), keys,
                    "warm-up " + label);
        }
        settle(gateways);
        long proxy = a.target.proxyPid();
        // The profiler's attach is outside the CPU counted for the round.
        sampling(profiler, a.target, true);
        ProcFs.CpuTime before = proxy < 0 ? null : proc.cpuTime(proxy);
        RunResult r = guarded(a, spec, keys, label);
        ProcFs.CpuTime spent = before == null || r == null ? null : proc.cpuTime(proxy).since(before);
        sampling(profiler, a.target, false);
        return r == null ? null : new Measured(r, spent);
    }

    /** A measured side round and the CPU its proxy spent in it (null for the backend arm). */
    record Measured(RunResult result, ProcFs.CpuTime proxyCpu) {
    }

    /**
     * {@link #load}, unless the arm already failed; a failure (the process died, the port closed)
     * marks the arm failed with the reason instead of ending the whole comparison.
     */
    private RunResult guarded(ArmRounds a, LoadSpec spec, KeySet keys, String label) throws InterruptedException {
        if (a.failure != null) {
            return null;
        }
        try {
            return load(a.target, spec, keys, label);
        } catch (IOException | RuntimeException e) {
            a.failure = "'" + label + "' failed: " + firstLine(e.getMessage());
            err.println("compare: " + a.failure + "; the " + a.target.name() + " arm stops here");
            return null;
        }
    }

    /** One run against a target with its own keys; remembers what the gateway answered, for reconciliation. */
    private RunResult load(Target t, LoadSpec spec, KeySet keys, String label) throws IOException, InterruptedException {
        LoadSpec s = spec.withTarget(t.url()).withKeys(keys);
        ProgressLine progress = new ProgressLine(err, !o.quiet() && ProgressLine.onTerminal(), label);
        long self = ProcessHandle.current().pid();
        // This JVM alone: the backend and nginx are its children, and count for their arms.
        long cpuBefore = proc.processCpuMicros(self);
        RunResult r;
        try {
            r = LoadGenerator.run(s, progress);
        } finally {
            progress.close();
        }
        double busy = (proc.processCpuMicros(self) - cpuBefore) / Math.max(1.0, r.elapsed().toNanos() / 1000.0);
        if (s.mode() == LoadSpec.Mode.CLOSED && !label.startsWith("warm-up")) {
            // A generator that used its whole CPU may have been the limit, not the arm: say so.
            if (busy > 0.9) {
                notes.add(String.format(Locale.ROOT, "'%s': the generator was busy %.0f%% of the time, so %.0f req/s"
                        + " may be its limit rather than the arm's", label, busy * 100, r.throughput()));
            }
            String waited = runQueueNote(label, r.runQueueWaitShare(), r.throughput());
            if (waited != null) {
                notes.add(waited);
            }
        }
        if (t instanceof GatewayArm) {
            for (int k = 0; k < r.perKey().length; k++) {
                if (keys.classOf(k).registered()) {
                    long[] into = gatewayAnswers.computeIfAbsent(t.name(), n -> new HashMap<>())
                            .computeIfAbsent(ApiKeyFormat.sha256Hex(keys.key(k)), h -> new long[StatusClass.values().length]);
                    for (int c = 0; c < into.length; c++) {
                        into[c] += r.perKey()[k][c];
                    }
                }
            }
            // Unfinished requests were sent but never answered: like failed ones, the gateway may have logged them.
            if (r.unfinished() > 0) {
                notes.add(t.name() + ": " + r.unfinished() + " requests were unanswered at the end of '" + label + "'");
            }
        }
        return r;
    }

    /**
     * A note when the generator's threads spent more than {@link #RUN_QUEUE_NOTE} of a closed-loop round
     * ready to run but waiting for their CPU: other work there (the database server, say) then held the
     * round's rate down, not only the arm. Null below that or when the wait is unknown.
     */
    static String runQueueNote(String label, double waitShare, double throughput) {
        if (!(waitShare > RUN_QUEUE_NOTE)) {
            return null;
        }
        return String.format(Locale.ROOT, "'%s': the generator was ready to run but waiting for its CPU %.0f%% of"
                + " the time (run queue), so %.0f req/s may be held down by what else ran there rather than by the"
                + " arm", label, waitShare * 100, throughput);
    }

    private Reconciliation reconcile(GatewayArm gateway) throws InterruptedException {
        Map<String, long[]> answers = gatewayAnswers.getOrDefault(gateway.name(), Map.of());
        long expected = answered(gateway);
        Reconciler reconciler = gateway.reconciler();
        try {
            info("waiting for " + gateway.name() + "'s metering to drain (" + expected
                    + " answered requests with a registered key)");
            Reconciler.Drain drain = reconciler.awaitDrain(expected, Duration.ofSeconds(60), Duration.ofSeconds(5),
                    Duration.ofMillis(200));
            return reconciler.check(answers, drain.description());
        } catch (SQLException e) {
            return new Reconciliation(false, Map.of(), Map.of(), 0, 0, 0, Map.of(), "not checked",
                    List.of("cannot read the gateway's database: " + e.getMessage()));
        }
    }

    /** Requests with a registered key that the gateway answered so far: what its ledger must count. */
    private long answered(GatewayArm gateway) {
        long n = 0;
        for (long[] v : gatewayAnswers.getOrDefault(gateway.name(), Map.of()).values()) {
            n += v[StatusClass.S2XX.ordinal()] + v[StatusClass.S4XX.ordinal()] + v[StatusClass.S5XX.ordinal()]
                    + v[StatusClass.OTHER.ordinal()];
        }
        return n;
    }

    /**
     * Before a measured round: every gateway's ledger has caught up with what it answered, then
     * PostgreSQL checkpoints and the kernel writes back dirty pages. Without it an arm measured
     * right after a gateway arm paid for that arm's writes (its last batches, the page cache's
     * writeback of WAL, tables and journal segments): the same jar in two arms measured 0.96x and
     * 0.80x in the second position. Both steps are best effort; a failure is noted once.
     */
    private void settle(List<GatewayArm> gateways) throws InterruptedException {
        if (gateways.isEmpty()) {
            return;
        }
        for (GatewayArm g : gateways) {
            long expected = answered(g);
            if (expected == 0 || !g.alive()) {
                continue;
            }
            try {
                g.reconciler().awaitDrain(expected, Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofMillis(100));
            } catch (SQLException e) {
                settleFailed("cannot read " + g.name() + "'s ledger: " + firstLine(e.getMessage()));
            }
        }
        try {
            GatewayArm.admin(o, "CHECKPOINT");
        } catch (IOException e) {
            settleFailed(firstLine(e.getMessage()));
        }
        try {
            Process sync = new ProcessBuilder("sync").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!sync.waitFor(60, TimeUnit.SECONDS)) {
                sync.destroyForcibly();
                settleFailed("sync took more than 60 s");
            }
        } catch (IOException e) {
            settleFailed("sync: " + firstLine(e.getMessage()));
        }
    }

    private void settleFailed(String why) {
        String note = "settling before a round was incomplete: " + why;
        if (!notes.contains(note)) {
            notes.add(note);
            err.println("compare: " + note);
        }
    }

    /**
     * Whether the JDBC URL names a server on this machine: every host the driver reads from it
     * ({@link Driver#parseURL}) is loopback, or there is none (the driver's default, localhost).
     */
    static boolean isOnThisMachine(String jdbcUrl) {
        Properties p = Driver.parseURL(jdbcUrl, null);
        if (p == null) {
            return false;
        }
        for (String h : p.getProperty("PGHOST", "").split(",")) {
            String host = h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
            if (!(host.isEmpty() || host.equals("localhost") || isLoopbackLiteral(host))) {
                return false;
            }
        }
        return true;
    }

    /** Whether the text is an IP address literal of a loopback address (no name is looked up). */
    private static boolean isLoopbackLiteral(String host) {
        byte[] ip = NetUtil.createByteArrayFromIpAddressString(host);
        try {
            return ip != null && InetAddress.getByAddress(ip).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false; // not 4 or 16 bytes: cannot happen for a parsed literal
        }
    }

    private Arm armReport(ArmRounds a, BackendProcess backend) {
        Target t = a.target;
        double rps = a.seconds <= 0 ? 0 : a.answered / a.seconds;
        Double proxyCpu = t.proxyPid() < 0 || a.answered == 0 ? null : (double) a.proxyCpuUs / a.answered;
        Double backendCpu = a.answered == 0 ? null : (double) a.backendCpuUs / a.answered;
        Double databaseCpu = databaseServers.isEmpty() || a.answered == 0 ? null : (double) a.databaseCpuUs / a.answered;
        return new Arm(t.name(), "ok", null, rps, a.roundRps, a.answered, Curves.summary(a.latency), a.byStatus,
                proxyCpu, backendCpu, databaseCpu, t.proxyPid() < 0 ? null : proc.peakRssKb(t.proxyPid()), proc.peakRssKb(backend.pid()),
                Curves.percentiles(a.latency), Curves.byKind(a.latencyByKind));
    }

    /** " (2/3)" for the second of three side rounds of a kind; nothing when there is one. */
    private String sideOf(int n) {
        return o.sideRounds() == 1 ? "" : " (" + n + "/" + o.sideRounds() + ")";
    }

    /**
     * One kind of side round: the arms take turns, one round each, {@code --side-rounds} times, and
     * each arm's rounds are summed (by arm name, in the order the arms ran). The keys are drawn anew
     * for every round; {@code line} is the progress line of a round, given the arm's label with the
     * round number. With a {@code profiler} (null for none), each gateway arm's measured rounds of
     * the kind are sampled into a flame graph of their own, named by the label
     * ({@code ARM-EVENT-one-connection.html} for "one connection").
     */
    private Map<String, SideTotals> takingTurns(String label, Collection<ArmRounds> arms, LoadSpec spec,
            Function<Target, KeySet> keys, List<GatewayArm> gateways, Profiler profiler,
            BiFunction<String, Measured, String> line)
            throws InterruptedException {
        Map<String, SideTotals> totals = new LinkedHashMap<>();
        Profiler sampled = sideProfile(profiler, gateways);
        for (int n = 1; n <= o.sideRounds(); n++) {
            for (ArmRounds a : arms) {
                Target t = a.target;
                String arm = t.name() + sideOf(n);
                Measured m = sideRound(a, spec, keys.apply(t), label + " " + arm, gateways, sampled);
                if (m != null) {
                    totals.computeIfAbsent(t.name(), x -> new SideTotals()).add(m);
                    info(line.apply(arm, m));
                }
            }
        }
        if (sampled != null) {
            String kind = label.replace(' ', '-');
            writeProfiles(sampled, gateways, "-" + kind, "its measured " + kind + " side rounds");
        }
        return totals;
    }

    /** One arm's side rounds of one kind, summed: answers over time, one latency histogram, CPU over answers. */
    static final class SideTotals {

        private final Histogram latency = new Histogram(3);
        private final Map<String, Long> byStatus = new TreeMap<>();
        private final List<Double> roundRps = new ArrayList<>();
        private final List<Long> roundP50 = new ArrayList<>();
        private long completed;
        private long elapsedNanos;
        private long userMicros;
        private long systemMicros;
        private boolean proxy = true;

        void add(Measured m) {
            RunResult r = m.result();
            latency.add(r.latency());
            r.byStatus().forEach((s, n) -> byStatus.merge(s == 0 ? "none" : s.toString(), n, Long::sum));
            roundRps.add(r.throughput());
            roundP50.add(p50(r.latency()));
            completed += r.completed();
            elapsedNanos += r.elapsed().toNanos();
            if (m.proxyCpu() == null) {
                proxy = false;
            } else {
                userMicros += m.proxyCpu().userMicros();
                systemMicros += m.proxyCpu().systemMicros();
            }
        }

        SideRound report(String arm, String what) {
            double seconds = elapsedNanos / 1e9;
            boolean cpu = proxy && completed > 0;
            return new SideRound(arm, what, seconds <= 0 ? 0 : completed / seconds, p50(latency), byStatus,
                    Curves.percentiles(latency), cpu ? (double) userMicros / completed : null,
                    cpu ? (double) systemMicros / completed : null, List.copyOf(roundRps), List.copyOf(roundP50));
        }

        private static long p50(Histogram h) {
            return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(50);
        }
    }

    private List<Path> write(Path dir, Instant started, Pinning pinning, List<Arm> arms, List<SideRound> one,
            List<SideRound> rejects, Map<String, Reconciliation> rec) throws IOException {
        String load = String.format(Locale.ROOT, "%s, %d connections, %d rounds of %s per arm, mix %s, "
                        + "keys: %d known + %d over-limit per arm, shares over-limit %.0f%% / unknown %.0f%% / malformed %.0f%%",
                o.openLoop() ? String.format(Locale.ROOT, "open loop at %.0f req/s", o.rate()) : "closed loop (max throughput)",
                o.connections(), o.rounds(), seconds(o.duration()), o.mix(), o.knownKeys(), o.overLimitKeys(),
                o.overLimitShare() * 100, o.unknownShare() * 100, o.malformedShare() * 100);
        List<String> allNotes = new ArrayList<>(notes);
        allNotes.add("side rounds: " + (o.sideRounds() == 1 ? "one per kind and arm" : o.sideRounds()
                        + " per kind and arm, the arms taking turns") + ", " + seconds(o.sideDuration()) + " each"
                + (o.sideWarmup().isZero() ? "" : ", each after an unmeasured " + seconds(o.sideWarmup())
                        + " run of the same shape")
                + "; latency counts from the intended send time"
                + " (open loop) or the send time (closed loop); CPU from /proc at " + proc.ticksPerSecond() + " ticks/s");
        allNotes.add("the backend alone accepts every key, so its arm answers 200 where the proxies refuse");
        BenchReport report = new BenchReport(
                new BenchReport.Meta(started.toString(), host, System.getProperty("java.vm.name") + " "
                        + Runtime.version(), o.commandLine(), load, pinning.description(), allNotes),
                arms, one, rejects, Ratios.of(arms, one, rejects), rec);
        return ReportWriter.write(dir, report);
    }

    private static String host() {
        String model = "unknown CPU";
        try {
            model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(model);
        } catch (IOException e) {
            // not Linux
        }
        return model + ", " + Runtime.getRuntime().availableProcessors() + " CPUs, "
                + System.getProperty("os.name") + " " + System.getProperty("os.version");
    }

    private void info(String line) {
        err.println("compare: " + line);
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** The default request mix of compare: the generator's default. */
    public static RequestMix defaultMix() {
        return RequestMix.DEFAULT;
    }
}
