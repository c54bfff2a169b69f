package ai.dalsi.loadtest.report;

import ai.dalsi.loadtest.report.BenchReport.Arm;
import ai.dalsi.loadtest.report.BenchReport.Ratio;
import ai.dalsi.loadtest.report.BenchReport.SideRound;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The ratios the issue sets targets for, computed from the arms and side rounds. A ratio whose
 * arm did not run has no value and says which arm is missing; it never counts as met.
 */
public final class Ratios {

    /** Added median latency at one connection the gateway may cost, in microseconds. */
    public static final double ADDED_P50_TARGET_US = 60;
    /** Reject paths must run at this fraction of nginx refusing a bad key, or better. */
    public static final double REJECT_TARGET = 0.8;

    private Ratios() {
    }

    public static List<Ratio> of(List<Arm> arms, List<SideRound> oneConnection, List<SideRound> rejects) {
        List<Ratio> out = new ArrayList<>();
        Optional<Arm> backend = arm(arms, BenchReport.BACKEND);
        Optional<Arm> nginx = arm(arms, BenchReport.NGINX);
        Optional<Arm> gateway = arm(arms, BenchReport.GATEWAY);

        out.add(ratio("gateway / nginx throughput", gateway.map(Arm::requestsPerSecond), nginx.map(Arm::requestsPerSecond),
                ">= 1.0", v -> v >= 1.0, missing(gateway, nginx)));
        out.add(ratio("gateway / nginx CPU per request", gateway.map(Arm::proxyCpuUsPerRequest),
                nginx.map(Arm::proxyCpuUsPerRequest), "<= 1.0", v -> v <= 1.0, missing(gateway, nginx)));
        out.add(ratio("gateway / backend-alone throughput", gateway.map(Arm::requestsPerSecond),
                backend.map(Arm::requestsPerSecond), null, null, missing(gateway, backend)));
        out.add(ratio("nginx / backend-alone throughput", nginx.map(Arm::requestsPerSecond),
                backend.map(Arm::requestsPerSecond), null, null, missing(nginx, backend)));

        Optional<Long> backendP50 = side(oneConnection, BenchReport.BACKEND, "one-connection").map(SideRound::p50Us);
        for (String proxy : List.of(BenchReport.GATEWAY, BenchReport.NGINX)) {
            Optional<Long> p50 = side(oneConnection, proxy, "one-connection").map(SideRound::p50Us);
            boolean gw = proxy.equals(BenchReport.GATEWAY);
            if (p50.isPresent() && backendP50.isPresent()) {
                double added = p50.get() - backendP50.get();
                out.add(new Ratio("added p50 at one connection, " + proxy, added, "us",
                        gw ? "<= " + (int) ADDED_P50_TARGET_US + " us" : null,
                        gw ? added <= ADDED_P50_TARGET_US : null,
                        "p50(" + proxy + ") - p50(backend alone), closed loop on one connection"));
            } else {
                out.add(new Ratio("added p50 at one connection, " + proxy, null, "us",
                        gw ? "<= " + (int) ADDED_P50_TARGET_US + " us" : null, null,
                        p50.isEmpty() ? proxy + " did not run" : "backend alone did not run"));
            }
        }

        Optional<Double> nginxBadKey = side(rejects, BenchReport.NGINX, "bad-key").map(SideRound::requestsPerSecond);
        for (String what : List.of("bad-key", "over-limit")) {
            Optional<Double> gw = side(rejects, BenchReport.GATEWAY, what).map(SideRound::requestsPerSecond);
            String status = what.equals("bad-key") ? "401" : "429";
            out.add(ratio("gateway " + status + " path / nginx refusing a bad key", gw, nginxBadKey,
                    ">= " + REJECT_TARGET, v -> v >= REJECT_TARGET,
                    gw.isEmpty() ? "gateway did not run" : nginxBadKey.isEmpty() ? "nginx did not run" : null));
        }
        Optional<Double> nginxOver = side(rejects, BenchReport.NGINX, "over-limit").map(SideRound::requestsPerSecond);
        Optional<Double> gwOver = side(rejects, BenchReport.GATEWAY, "over-limit").map(SideRound::requestsPerSecond);
        out.add(ratio("gateway 429 path / nginx 429 path", gwOver, nginxOver, null, null,
                gwOver.isEmpty() ? "gateway did not run" : nginxOver.isEmpty() ? "nginx did not run" : null));
        return out;
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
