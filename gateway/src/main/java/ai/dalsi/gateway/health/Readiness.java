package ai.dalsi.gateway.health;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the health checks side by side, each on its own virtual thread, and waits at most the
 * timeout for them; a check that has not answered by then counts as down. The node is ready
 * when every {@linkplain HealthCheck#required() required} check is up.
 */
public final class Readiness implements AutoCloseable {

    /** One check's line in the report. */
    public record CheckState(String status, boolean required, String detail) {
    }

    /**
     * The whole report: {@code ready}, {@code degraded} (ready, but a check works in a lesser way:
     * still 200, so load balancers keep the node) or {@code not_ready}, and each check by name.
     */
    public record Report(String status, Map<String, CheckState> checks) {

        public boolean ready() {
            return !"not_ready".equals(status);
        }
    }

    private final List<HealthCheck> checks;
    private final Duration timeout;
    // Virtual threads: a check stuck in a connect or a pool wait costs nothing while it waits.
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    public Readiness(List<HealthCheck> checks, Duration timeout) {
        this.checks = List.copyOf(checks);
        this.timeout = timeout;
    }

    public Report evaluate() {
        return evaluate(checks);
    }

    /**
     * Whether the node is ready, running only the required checks (cheap state flags today), so
     * that a metrics scrape can ask ({@code gateway_ready}) without touching the database or the
     * backends.
     */
    public boolean requiredChecksUp() {
        return evaluate(checks.stream().filter(HealthCheck::required).toList()).ready();
    }

    private Report evaluate(List<HealthCheck> checks) {
        Map<String, CompletableFuture<HealthCheck.Result>> running = new LinkedHashMap<>();
        for (HealthCheck c : checks) {
            running.put(c.name(), CompletableFuture.supplyAsync(() -> c.check(timeout), executor));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, CheckState> states = new LinkedHashMap<>();
        boolean ready = true;
        boolean degraded = false;
        for (HealthCheck c : checks) {
            HealthCheck.Result r;
            try {
                r = running.get(c.name()).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                r = HealthCheck.Result.down("no answer within " + timeout.toMillis() + " ms");
            } catch (ExecutionException e) {
                r = HealthCheck.Result.down("check failed: " + e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                r = HealthCheck.Result.down("interrupted");
            }
            states.put(c.name(), new CheckState(r.degraded() ? "degraded" : r.up() ? "up" : "down", c.required(),
                    r.detail()));
            degraded |= r.degraded();
            if (c.required() && !r.up()) {
                ready = false;
            }
        }
        return new Report(ready ? degraded ? "degraded" : "ready" : "not_ready", states);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
