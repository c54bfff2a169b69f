package ai.dalsi.gateway.metrics;

import ai.dalsi.gateway.flags.FeatureFlag;
import ai.dalsi.gateway.flags.FeatureFlags;

import ai.dalsi.metering.MeteringMetrics;
import com.github.benmanes.caffeine.cache.Cache;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import ai.dalsi.gateway.proxy.BackendHealth;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyEventExecutorMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.channel.EventLoopGroup;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The node's metrics: one Prometheus registry with the JVM and process binders, plus what the
 * composition root binds as it builds things (the database pool, the edge's caches, Netty event
 * loops and allocators), and the gateway's own meters ({@link #edgeMetrics()}, {@link #meteringMetrics()}). {@link #scrape()}
 * is what {@code GET /metrics} answers. Tags never carry a key, user id or IP.
 */
public final class GatewayMetrics implements AutoCloseable {

    /** Content type of {@link #scrape()}: the Prometheus text format 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final Counter rateLimitFallbacks;
    private final JvmGcMetrics gc;
    private final MicrometerEdgeMetrics edge;
    private final MicrometerMeteringMetrics metering;

    public GatewayMetrics() {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(PromtoolClean.FILTER);
        new JvmMemoryMetrics().bindTo(registry);
        this.gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        this.edge = new MicrometerEdgeMetrics(registry);
        this.metering = new MicrometerMeteringMetrics(registry);
        this.rateLimitFallbacks = Counter.builder("gateway.ratelimit.fallback")
                .description("Limit checks answered from this node's memory because Redis was unreachable or slow")
                .register(registry);
    }

    /**
     * {@code gateway_ratelimit_fallback_total}: limit checks this node answered from its own memory
     * because Redis was away or slow. Registered on every node (0 without Redis), so the alert on it
     * always has a series to read.
     */
    public Counter rateLimitFallbacks() {
        return rateLimitFallbacks;
    }

    /** The registry, for binders of other parts (metering's meters, for one). */
    public MeterRegistry registry() {
        return registry;
    }

    /** The edge's meters: requests, latencies, rejections. */
    public EdgeMetrics edgeMetrics() {
        return edge;
    }

    /** The metering ledger's meters: queue depth, journal bytes, lag, flushes, retries, refusals. */
    public MeteringMetrics meteringMetrics() {
        return metering;
    }

    /** HikariCP pool meters ({@code hikaricp_connections_*}); call once per pool. */
    public void bindDatabasePool(HikariDataSource pool) {
        pool.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
    }

    /** Caffeine cache meters ({@code cache_gets_total{cache=name,...}}); the cache must record stats. */
    public void bindCache(String name, Cache<?, ?> cache) {
        CaffeineCacheMetrics.monitor(registry, cache, name);
    }

    /** Pending tasks per event loop ({@code netty_eventexecutor_tasks_pending}). */
    public void bindEventLoops(EventLoopGroup group) {
        new NettyEventExecutorMetrics(group).bindTo(registry);
    }

    /**
     * The circuit of every backend the proxy knows, as {@code gateway_backend_circuit_state{backend,state}}:
     * 1 for the backend's current state ({@code closed}, {@code open} or {@code half_open}), 0 for the others.
     * The backend is named by its base URL (scheme, host, port, prefix), never a key.
     */
    public void bindBackends(BackendHealth health) {
        for (BackendHealth.State b : health.states()) {
            for (String state : BackendHealth.STATE_NAMES) {
                Gauge.builder("gateway.backend.circuit.state", health, h -> state.equals(h.state(b.backend())) ? 1 : 0)
                        .description("1 for the current state of the backend's circuit breaker, 0 for the others")
                        .tag("backend", b.backend())
                        .tag("state", state)
                        .register(registry);
            }
        }
    }

    /** Netty buffer allocator memory ({@code netty_allocator_memory_used}, ...). */
    public void bindAllocator(ByteBufAllocatorMetricProvider allocator) {
        new NettyAllocatorMetrics(allocator).bindTo(registry);
    }

    /**
     * {@code gateway_request_body_bytes_in_flight}: bytes request bodies hold in the public port's
     * in-flight budget ({@code edge.maxBodyBytesInFlight}) now.
     */
    public void bindBodyBytesInFlight(java.util.function.LongSupplier bytes) {
        Gauge.builder("gateway.request.body.bytes.in.flight", bytes, b -> b.getAsLong())
                .description("Bytes request bodies being read or held reserve in the in-flight budget")
                .strongReference(true)
                .register(registry);
    }

    /**
     * {@code gateway_ready}: 1 while the node's required readiness checks pass (when
     * {@code /health/ready} answers 200), else 0.
     */
    public void bindReadiness(BooleanSupplier ready) {
        Gauge.builder("gateway.ready", ready, r -> r.getAsBoolean() ? 1 : 0)
                .description("1 while the node is ready to serve (public port bound, metering accepting), else 0")
                .register(registry);
    }

    /**
     * The feature flags this node honours: {@code gateway_feature_flags_enabled{kind}} counts the
     * enabled flags by kind ({@code maintenance}, {@code product}, {@code model}, {@code other}),
     * and {@code gateway_maintenance} is 1 while maintenance is on for every key. Bounded tags: the
     * flags' names are not labels.
     */
    public void bindFlags(Supplier<FeatureFlags> flags) {
        for (String kind : List.of("maintenance", "product", "model", "other")) {
            Gauge.builder("gateway.feature.flags.enabled", flags, f -> f.get().enabledOfKind(kind))
                    .description("Enabled feature flags (kill switches) by kind, as this node sees them")
                    .tag("kind", kind)
                    .strongReference(true)
                    .register(registry);
        }
        Gauge.builder("gateway.maintenance", flags, f -> {
            FeatureFlag m = f.get().get(FeatureFlag.MAINTENANCE);
            return m != null && m.onForEveryone() ? 1 : 0;
        }).description("1 while the maintenance flag refuses every request on the public port, else 0")
                .strongReference(true)
                .register(registry);
    }

    /** Every meter in the Prometheus text format ({@link #CONTENT_TYPE}). */
    public String scrape() {
        return registry.scrape(CONTENT_TYPE);
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
