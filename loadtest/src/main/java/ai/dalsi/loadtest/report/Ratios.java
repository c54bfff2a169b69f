package ai.dalsi.loadtest.report;

import ai.dalsi.loadtest.report.BenchReport.Arm;
import ai.dalsi.loadtest.report.BenchReport.Ratio;
import ai.dalsi.loadtest.report.BenchReport.SideRound;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The ratios the performance targets are set in, computed from the arms and side rounds; when the
 * gateway also ran with its limits in Redis, what that costs against the local limiter. A ratio
 * whose arm did not run has no value and says which arm is missing; it never counts as met.
 */
public final class Ratios {

    /** The gateway's throughput at least this fraction of nginx's. */
    public static final double THROUGHPUT_TARGET = 0.6;
    /** The gateway's CPU per proxied request at most this multiple of nginx's. */
    public static final double CPU_TARGET = 1.6;
    /** Added median latency at one connection the gateway may cost, in microseconds. */
    public static final double ADDED_P50_TARGET_US = 50;
    /** The 401 path at least this fraction of nginx refusing a bad key. */
    public static final double BAD_KEY_TARGET = 0.9;
    /** The 429 path at least this fraction of nginx's 429 path. */
    public static final double OVER_LIMIT_TARGET = 0.8;

    private Ratios() {
    }

    public static List<Ratio> of(List<Arm> arms, List<SideRound> oneConnection, List<SideRound> rejects) {
        List<Ratio> out = new ArrayList<>();
        Optional<Arm> backend = arm(arms, BenchReport.BACKEND);
        Optional<Arm> nginx = arm(arms, BenchReport.NGINX);
        Optional<Arm> gateway = arm(arms, BenchReport.GATEWAY);

        out.add(ratio("gateway / nginx throughput", gateway.map(Arm::requestsPerSecond), nginx.map(Arm::requestsPerSecond),
                ">= " + THROUGHPUT_TARGET, v -> v >= THROUGHPUT_TARGET, missing(gateway, nginx)));
        out.add(ratio("gateway / nginx CPU per request", gateway.map(Arm::proxyCpuUsPerRequest),
                nginx.map(Arm::proxyCpuUsPerRequest), "<= " + CPU_TARGET, v -> v <= CPU_TARGET, missing(gateway, nginx)));
        out.add(ratio("gateway / backend-alone throughput", gateway.map(Arm::requestsPerSecond),
                backend.map(Arm::requestsPerSecond), null, null, missing(gateway, backend)));
        out.add(ratio("nginx / backend-alone throughput", nginx.map(Arm::requestsPerSecond),
                backend.map(Arm::requestsPerSecond), null, null, missing(nginx, backend)));

        for (String proxy : List.of(BenchReport.GATEWAY, BenchReport.NGINX)) {
            boolean gw = proxy.equals(BenchReport.GATEWAY);
            out.add(addedP50(oneConnection, proxy, BenchReport.BACKEND,
                    gw ? ADDED_P50_TARGET_US : null, "closed loop on one connection"));
        }

        String nginxMissing = "nginx did not run";
        Optional<Double> nginxBadKey = side(rejects, BenchReport.NGINX, "bad-key").map(SideRound::requestsPerSecond);
        Optional<Double> gwBadKey = side(rejects, BenchReport.GATEWAY, "bad-key").map(SideRound::requestsPerSecond);
        out.add(ratio("gateway 401 path / nginx refusing a bad key", gwBadKey, nginxBadKey, ">= " + BAD_KEY_TARGET,
                v -> v >= BAD_KEY_TARGET, gwBadKey.isEmpty() ? "gateway did not run" : nginxBadKey.isEmpty() ? nginxMissing : null));
        Optional<Double> nginxOver = side(rejects, BenchReport.NGINX, "over-limit").map(SideRound::requestsPerSecond);
        Optional<Double> gwOver = side(rejects, BenchReport.GATEWAY, "over-limit").map(SideRound::requestsPerSecond);
        out.add(ratio("gateway 429 path / nginx 429 path", gwOver, nginxOver, ">= " + OVER_LIMIT_TARGET,
                v -> v >= OVER_LIMIT_TARGET, gwOver.isEmpty() ? "gateway did not run" : nginxOver.isEmpty() ? nginxMissing : null));

        if (arms.stream().anyMatch(a -> a.name().equals(BenchReport.GATEWAY_REDIS))) {
            // What sharing the limits through Redis costs one node, against the same gateway keeping them itself.
            out.addAll(perArm(arms, BenchReport.GATEWAY_REDIS, BenchReport.GATEWAY));
            out.add(addedP50(oneConnection, BenchReport.GATEWAY_REDIS, BenchReport.BACKEND, null,
                    "closed loop on one connection"));
            out.add(addedP50(oneConnection, BenchReport.GATEWAY_REDIS, BenchReport.GATEWAY, null,
                    "the Redis round trip of each admission, closed loop on one connection"));
            for (String what : List.of("bad-key", "over-limit")) {
                out.add(path(rejects, what, BenchReport.GATEWAY_REDIS, BenchReport.GATEWAY, "%s / %s %s path"));
            }
        }
        if (arms.stream().anyMatch(a -> a.name().equals(BenchReport.GATEWAY_BASELINE))) {
            // The change under test: this build of the gateway against another, in the same rounds.
            out.addAll(perArm(arms, BenchReport.GATEWAY, BenchReport.GATEWAY_BASELINE));
            out.add(addedP50(oneConnection, BenchReport.GATEWAY_BASELINE, BenchReport.BACKEND, null,
                    "closed loop on one connection"));
            for (String what : List.of("bad-key", "over-limit")) {
                out.add(path(rejects, what, BenchReport.GATEWAY, BenchReport.GATEWAY_BASELINE, "%s / %s %s path"));
                out.add(path(rejects, what, BenchReport.GATEWAY_BASELINE, BenchReport.NGINX, "%s %3$s path / %s %3$s path"));
            }
            out.addAll(perArm(arms, BenchReport.GATEWAY_BASELINE, BenchReport.NGINX));
        }
        return out;
    }

    /** {@code a / b} throughput and CPU per request, from their main rounds. */
    private static List<Ratio> perArm(List<Arm> arms, String a, String b) {
        Optional<Arm> x = arm(arms, a);
        Optional<Arm> y = arm(arms, b);
        return List.of(
                ratio(a + " / " + b + " throughput", x.map(Arm::requestsPerSecond), y.map(Arm::requestsPerSecond), null,
                        null, missing(x, y)),
                ratio(a + " / " + b + " CPU per request", x.map(Arm::proxyCpuUsPerRequest),
                        y.map(Arm::proxyCpuUsPerRequest), null, null, missing(x, y)));
    }

    /**
     * {@code a / b} on a reject path ({@code bad-key}: 401, {@code over-limit}: 429), named by
     * {@code format} from a, b and the status.
     */
    private static Ratio path(List<SideRound> rejects, String what, String a, String b, String format) {
        Optional<Double> x = side(rejects, a, what).map(SideRound::requestsPerSecond);
        Optional<Double> y = side(rejects, b, what).map(SideRound::requestsPerSecond);
        String status = what.equals("bad-key") ? "401" : "429";
        return ratio(String.format(java.util.Locale.ROOT, format, a, b, status), x, y, null, null,
                x.isEmpty() ? a + " did not run" : y.isEmpty() ? b + " did not run" : null);
    }

    /** The median at one connection of {@code arm} minus that of {@code base}, in microseconds. */
    private static Ratio addedP50(List<SideRound> oneConnection, String arm, String base, Double targetUs, String how) {
        Optional<Long> p50 = side(oneConnection, arm, "one-connection").map(SideRound::p50Us);
        Optional<Long> baseP50 = side(oneConnection, base, "one-connection").map(SideRound::p50Us);
        String name = base.equals(BenchReport.BACKEND) ? "added p50 at one connection, " + arm
                : "p50 at one connection, " + arm + " - " + base;
        String target = targetUs == null ? null : "<= " + targetUs.intValue() + " us";
        if (p50.isEmpty() || baseP50.isEmpty()) {
            String who = p50.isEmpty() ? arm : base.equals(BenchReport.BACKEND) ? "backend alone" : base;
            return new Ratio(name, null, "us", target, null, who + " did not run");
        }
        double added = p50.get() - baseP50.get();
        return new Ratio(name, added, "us", target, targetUs == null ? null : added <= targetUs,
                "p50(" + arm + ") - p50(" + (base.equals(BenchReport.BACKEND) ? "backend alone" : base) + "), " + how);
    }

    private static Ratio ratio(String name, Optional<Double> numerator, Optional<Double> denominator, String target,
            java.util.function.DoublePredicate meets, String missing) {
        if (numerator.isEmpty() || denominator.isEmpty() || denominator.get() == 0) {
            return new Ratio(name, null, "x", target, null, missing != null ? missing : "no measurement");
        }
        double v = numerator.get() / denominator.get();
        return new Ratio(name, v, "x", target, meets == null ? null : meets.test(v), null);
    }

    private static String missing(Optional<Arm> a, Optional<Arm> b) {
        return a.isEmpty() ? "arm did not run" : b.isEmpty() ? "arm did not run" : null;
    }

    private static Optional<Arm> arm(List<Arm> arms, String name) {
        return arms.stream().filter(a -> a.name().equals(name) && a.ran()).findFirst();
    }

    private static Optional<SideRound> side(List<SideRound> rounds, String arm, String what) {
        return rounds.stream().filter(r -> r.arm().equals(arm) && r.what().equals(what)).findFirst();
    }
}
