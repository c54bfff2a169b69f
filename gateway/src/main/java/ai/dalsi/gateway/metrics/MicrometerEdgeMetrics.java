package ai.dalsi.gateway.metrics;

import ai.dalsi.gateway.error.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * {@link EdgeMetrics} on Micrometer, with the names of docs/ARCHITECTURE.md and the README:
 * <ul>
 *   <li>{@code gateway_requests_total{product,status,tier}}</li>
 *   <li>{@code gateway_request_duration_seconds{product}}: first byte in to last byte out</li>
 *   <li>{@code gateway_upstream_duration_seconds{product}}: waiting on the backend</li>
 *   <li>{@code gateway_added_latency_seconds{product}}: the difference, for requests that went upstream</li>
 *   <li>{@code gateway_rejections_total{reason}}: the edge's own refusals, by error code</li>
 *   <li>{@code gateway_client_disconnects_total{phase}}: clients gone before their request was read
 *       ({@code head} or {@code body})</li>
 *   <li>{@code gateway_connections_refused_total}: connections closed at accept, over the per-address cap</li>
 * </ul>
 * Histograms have fixed buckets from 100µs to 60s so Prometheus can aggregate them across nodes.
 *
 * <p>Called on event loops for every request, so the hot path allocates nothing once a tag
 * combination has been seen: meters are cached per product in a map, per tier and status in an
 * array, and per rejection reason in an {@link EnumMap}. Tag values are bounded: at most
 * {@value #MAX_PRODUCTS} products, the known tiers, statuses 100..599; anything else is
 * {@code other}.
 */
final class MicrometerEdgeMetrics implements EdgeMetrics {

    static final String REQUESTS = "gateway.requests";
    static final String REQUEST_DURATION = "gateway.request.duration";
    static final String UPSTREAM_DURATION = "gateway.upstream.duration";
    static final String ADDED_LATENCY = "gateway.added.latency";
    static final String REJECTIONS = "gateway.rejections";
    static final String CLIENT_DISCONNECTS = "gateway.client.disconnects";
    static final String CONNECTIONS_REFUSED = "gateway.connections.refused";

    static final int MAX_PRODUCTS = 32;
    private static final String OTHER = "other";
    private static final String[] TIERS = {"none", "free", "pro", "enterprise", OTHER};
    private static final Duration[] BUCKETS = {
            Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
            Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};
    private static final String[] STATUS_TAGS = new String[600];

    static {
        for (int i = 100; i < 600; i++) {
            STATUS_TAGS[i] = Integer.toString(i);
        }
    }

    private final MeterRegistry registry;
    private final Map<String, ProductMeters> products = new ConcurrentHashMap<>();
    private final Map<ErrorCode, Counter> rejections = new EnumMap<>(ErrorCode.class);
    private final Counter disconnectsHead;
    private final Counter disconnectsBody;
    private final Counter connectionsRefused;

    MicrometerEdgeMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (ErrorCode code : ErrorCode.values()) {
            rejections.put(code, Counter.builder(REJECTIONS)
                    .description("Requests the gateway refused itself, by error code")
                    .tag("reason", code.reason())
                    .register(registry));
        }
        product("none");
        disconnectsHead = disconnects(registry, "head");
        disconnectsBody = disconnects(registry, "body");
        connectionsRefused = Counter.builder(CONNECTIONS_REFUSED)
                .description("Connections closed at accept: their address held the most connections allowed")
                .register(registry);
    }

    private static Counter disconnects(MeterRegistry registry, String phase) {
        return Counter.builder(CLIENT_DISCONNECTS)
                .description("Clients that closed the connection before their request was read in full")
                .tag("phase", phase)
                .register(registry);
    }

    @Override
    public void clientDisconnected(String phase) {
        ("head".equals(phase) ? disconnectsHead : disconnectsBody).increment();
    }

    @Override
    public void connectionRefused() {
        connectionsRefused.increment();
    }

    @Override
    public void requestCompleted(String product, int status, String tier, long totalNanos, long upstreamNanos) {
        ProductMeters m = product(product == null ? "none" : product);
        m.requests(tierIndex(tier), status).increment();
        m.total.record(Math.max(0, totalNanos), TimeUnit.NANOSECONDS);
        if (upstreamNanos >= 0) {
            m.upstream.record(upstreamNanos, TimeUnit.NANOSECONDS);
            m.added.record(Math.max(0, totalNanos - upstreamNanos), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void rejected(ErrorCode reason) {
        rejections.get(reason).increment();
    }

    private ProductMeters product(String name) {
        ProductMeters m = products.get(name);
        if (m != null) {
            return m;
        }
        String tag = products.size() >= MAX_PRODUCTS ? OTHER : name;
        return products.computeIfAbsent(tag, t -> new ProductMeters(registry, t));
    }

    private static int tierIndex(String tier) {
        if (tier == null) {
            return 0;
        }
        return switch (tier) {
            case "none" -> 0;
            case "free" -> 1;
            case "pro" -> 2;
            case "enterprise" -> 3;
            default -> 4;
        };
    }

    /** The meters of one product tag. */
    private static final class ProductMeters {
        private final MeterRegistry registry;
        private final String product;
        private final Timer total;
        private final Timer upstream;
        private final Timer added;
        // [tier * 601 + status]; index 600 of each tier row holds out-of-range statuses.
        private final AtomicReferenceArray<Counter> counters = new AtomicReferenceArray<>(TIERS.length * 601);

        ProductMeters(MeterRegistry registry, String product) {
            this.registry = registry;
            this.product = product;
            this.total = timer(registry, REQUEST_DURATION, product,
                    "Time from the first request byte received to the last response byte sent");
            this.upstream = timer(registry, UPSTREAM_DURATION, product,
                    "Time spent waiting on the model backend");
            this.added = timer(registry, ADDED_LATENCY, product,
                    "Latency the gateway added to requests that went upstream (total minus upstream)");
        }

        Counter requests(int tier, int status) {
            int s = status >= 100 && status < 600 ? status : 600;
            int index = tier * 601 + s;
            Counter c = counters.get(index);
            if (c == null) {
                c = Counter.builder(REQUESTS)
                        .description("Requests answered, by product, status and key tier")
                        .tag("product", product)
                        .tag("status", s == 600 ? OTHER : STATUS_TAGS[s])
                        .tag("tier", TIERS[tier])
                        .register(registry);
                counters.set(index, c);
            }
            return c;
        }

        private static Timer timer(MeterRegistry registry, String name, String product, String description) {
            return Timer.builder(name)
                    .description(description)
                    .tag("product", product)
                    .serviceLevelObjectives(BUCKETS)
                    .register(registry);
        }
    }
}
