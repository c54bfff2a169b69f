package ai.dalsi.gateway.proxy;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A circuit breaker per backend (resilience4j's, which is plain Java with atomic state, so event
 * loops use it directly): after {@link ProxyConfig#circuitFailureThreshold()} consecutive failures
 * the backend's circuit opens and it gets no requests for {@link ProxyConfig#circuitOpenDuration()};
 * then one request may probe it (half-open), and the circuit closes when that succeeds or opens
 * again when it fails. Backends are known by {@link BackendTarget#name()}, so models that share a
 * backend share its breaker.
 *
 * <p>What counts: a failure is a connection or TLS failure, a timeout before the response headers,
 * the connection closed before them, or a 500, 502, 503 or 504; any other answer (a 4xx included)
 * is a success. A 429 is neither: the backend is up but busy, and its quota is no reason to stop
 * calling it once it recovers.
 *
 * <p>Read by {@code /metrics} and {@code /health/ready} through {@link #states()}.
 */
public final class BackendHealth {

    /** One backend's circuit as ops see it. */
    public record State(String backend, String state) {
    }

    private final CircuitBreakerConfig config;
    private final ConcurrentHashMap<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();
    /**
     * The same breakers by target, for the lookup every request makes: a target's name is a new
     * string each time it is asked for. As bounded as {@link #breakers}: one entry per backend
     * configured since the start (equal targets are one key).
     */
    private final ConcurrentHashMap<BackendTarget, CircuitBreaker> byTarget = new ConcurrentHashMap<>();

    BackendHealth(ProxyConfig proxy, Clock clock) {
        int n = proxy.circuitFailureThreshold();
        this.config = CircuitBreakerConfig.custom()
                // The last n calls all failed: n consecutive failures. The window is synchronized, not
                // lock-free: resilience4j's lock-free window throws a NullPointerException when an
                // outcome is recorded after the breaker opened (a request sent just before, timing out
                // just after), which is the ordinary case when a backend dies under load.
                .slidingWindow(n, n, CircuitBreakerConfig.SlidingWindowType.COUNT_BASED,
                        CircuitBreakerConfig.SlidingWindowSynchronizationStrategy.SYNCHRONIZED)
                .failureRateThreshold(100)
                .waitDurationInOpenState(proxy.circuitOpenDuration())
                .permittedNumberOfCallsInHalfOpenState(1)
                // Open becomes half-open when a request asks, not by a timer thread of the library's own.
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .recordException(t -> true)
                .clock(clock)
                .build();
    }

    /** The breaker of this backend, made on first use. */
    CircuitBreaker breaker(BackendTarget target) {
        CircuitBreaker b = byTarget.get(target);
        if (b == null) {
            b = breakers.computeIfAbsent(target.name(), n -> CircuitBreaker.of(n, config));
            byTarget.putIfAbsent(target, b);
        }
        return b;
    }

    /** Makes the breakers of these backends now, so that they are reported before their first request. */
    public void track(Collection<BackendTarget> targets) {
        targets.forEach(this::breaker);
    }

    /** Every known backend's circuit: {@code closed}, {@code open} or {@code half_open}, by backend name. */
    public List<State> states() {
        List<State> out = new ArrayList<>();
        breakers.values().stream().sorted(java.util.Comparator.comparing(CircuitBreaker::getName))
                .forEach(b -> out.add(new State(b.getName(), stateName(b.getState()))));
        return out;
    }

    /** The circuit of the backend of this name, or null when it is not known. */
    public String state(String backend) {
        CircuitBreaker b = breakers.get(backend);
        return b == null ? null : stateName(b.getState());
    }

    /** Names of circuit states as metrics and health report them. */
    public static final List<String> STATE_NAMES = List.of("closed", "open", "half_open");

    static String stateName(CircuitBreaker.State s) {
        return switch (s) {
            case CLOSED, DISABLED, METRICS_ONLY -> "closed";
            case OPEN, FORCED_OPEN -> "open";
            case HALF_OPEN -> "half_open";
        };
    }

    /** Whether this status counts against a backend's health. */
    static boolean isFailureStatus(int status) {
        return status == 500 || status == 502 || status == 503 || status == 504;
    }

    @Override
    public String toString() {
        return "BackendHealth" + states().stream().map(s -> s.backend() + "=" + s.state().toUpperCase(Locale.ROOT)).toList();
    }
}
