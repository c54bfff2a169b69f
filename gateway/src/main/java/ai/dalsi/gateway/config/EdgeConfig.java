package ai.dalsi.gateway.config;

import ai.dalsi.gateway.auth.KeyEnvironment;
import ai.dalsi.gateway.net.IpRanges;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of the public port (the edge), validated on construction: a bad value fails with a
 * message naming the setting and what was expected, e.g. {@code "edge.port: 70000 (expected: 0..65535)"}.
 * Loaded from YAML/environment by the config loader; {@link #defaults()} runs locally with no file.
 *
 * @param host                 address to bind, e.g. {@code 0.0.0.0} or {@code ::} (both families on Linux)
 * @param port                 port to bind ({@code GATEWAY_HTTP_PORT}, default 8080); 0 picks a free one
 * @param maxBodyBytes         largest request body accepted; larger bodies get 413 {@code request_too_large}
 * @param maxHeaderBytes       largest request line and largest header block accepted (413 above it)
 * @param keepAliveIdleTimeout a connection with nothing in flight is closed this long after its start or
 *                             its last answer
 * @param ioThreads            event-loop threads; 0 means one per available core
 * @param nativeTransport      use a native transport when available (NIO otherwise or when false)
 * @param ioUring              with {@code nativeTransport}, io_uring instead of epoll where the kernel offers it
 *                             (epoll where it does not, e.g. under a seccomp profile that refuses io_uring)
 * @param servedEnvironments   key environments this deployment serves; other keys get 403 {@code environment_mismatch}
 * @param trustedProxies       addresses or CIDR ranges of proxies whose {@code X-Forwarded-For}/{@code Forwarded}
 *                             headers are believed; empty means the socket peer is always the client
 * @param keyCacheMaxSize      most API keys (known and unknown) the key cache holds
 * @param keyCacheRefresh      a cached key older than this is reloaded in the background on its next use
 * @param keyCacheExpiry       a cached known key unused for refresh this long (e.g. the database is down) is dropped
 * @param keyCacheNegativeTtl  how long "no such key" is remembered
 * @param keyLoadThreads       threads that load keys from the database (never the event loop)
 * @param catalogRefresh       how often products and models are reloaded
 * @param rateLimitMaxKeys     most per-key rate-limit buckets held in memory
 * @param shutdownGracePeriod  how long {@code close()} lets in-flight requests finish
 * @param maxBodyBytesInFlight total bytes that request bodies being read or held may reserve at once; a body
 *                             that would go over it is shed with 503 before it is read (bounds direct memory)
 * @param maxBodyBytesInFlightPerAddress the same budget per client address, so one address cannot take it all
 * @param maxConnectionsPerAddress open connections one TCP peer address may hold; more are closed at accept
 *                             (0: no cap). Behind a proxy every connection comes from the proxy: raise it there
 * @param headerTimeout        a request line and headers must arrive in full within this, from their first byte
 *                             (408, then close); it does not restart with each byte
 * @param bodyTimeout          a request body must arrive in full within this, from the end of the headers (408)
 */
public record EdgeConfig(
        String host,
        int port,
        int maxBodyBytes,
        int maxHeaderBytes,
        Duration keepAliveIdleTimeout,
        int ioThreads,
        boolean nativeTransport,
        boolean ioUring,
        Set<KeyEnvironment> servedEnvironments,
        List<String> trustedProxies,
        long keyCacheMaxSize,
        Duration keyCacheRefresh,
        Duration keyCacheExpiry,
        Duration keyCacheNegativeTtl,
        int keyLoadThreads,
        Duration catalogRefresh,
        long rateLimitMaxKeys,
        Duration shutdownGracePeriod,
        long maxBodyBytesInFlight,
        long maxBodyBytesInFlightPerAddress,
        int maxConnectionsPerAddress,
        Duration headerTimeout,
        Duration bodyTimeout) {

    /** Port used when {@code GATEWAY_HTTP_PORT} is not set. */
    public static final int DEFAULT_PORT = 8080;

    public EdgeConfig {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("edge.host: missing (expected: an address to bind, e.g. 0.0.0.0)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("edge.port: " + port + " (expected: 0..65535)");
        }
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("edge.maxBodyBytes: " + maxBodyBytes + " (expected: >= 1024)");
        }
        if (maxHeaderBytes < 1024) {
            throw new IllegalArgumentException("edge.maxHeaderBytes: " + maxHeaderBytes + " (expected: >= 1024)");
        }
        positive("edge.keepAliveIdleTimeout", keepAliveIdleTimeout);
        if (ioThreads < 0) {
            throw new IllegalArgumentException("edge.ioThreads: " + ioThreads + " (expected: >= 0, 0 = one per core)");
        }
        if (servedEnvironments == null || servedEnvironments.isEmpty()) {
            throw new IllegalArgumentException("edge.servedEnvironments: empty (expected: production and/or development)");
        }
        servedEnvironments = Set.copyOf(EnumSet.copyOf(servedEnvironments));
        trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
        IpRanges.parse(trustedProxies, "edge.trustedProxies");
        if (keyCacheMaxSize < 1) {
            throw new IllegalArgumentException("edge.keyCacheMaxSize: " + keyCacheMaxSize + " (expected: > 0)");
        }
        positive("edge.keyCacheRefresh", keyCacheRefresh);
        positive("edge.keyCacheExpiry", keyCacheExpiry);
        positive("edge.keyCacheNegativeTtl", keyCacheNegativeTtl);
        if (keyCacheExpiry.compareTo(keyCacheRefresh) < 0) {
            throw new IllegalArgumentException("edge.keyCacheExpiry: " + keyCacheExpiry
                    + " (expected: >= edge.keyCacheRefresh " + keyCacheRefresh + ")");
        }
        if (keyLoadThreads < 1 || keyLoadThreads > 256) {
            throw new IllegalArgumentException("edge.keyLoadThreads: " + keyLoadThreads + " (expected: 1..256)");
        }
        positive("edge.catalogRefresh", catalogRefresh);
        if (rateLimitMaxKeys < 1) {
            throw new IllegalArgumentException("edge.rateLimitMaxKeys: " + rateLimitMaxKeys + " (expected: > 0)");
        }
        Objects.requireNonNull(shutdownGracePeriod, "edge.shutdownGracePeriod: missing");
        if (shutdownGracePeriod.isNegative()) {
            throw new IllegalArgumentException("edge.shutdownGracePeriod: " + shutdownGracePeriod + " (expected: >= 0)");
        }
        if (maxBodyBytesInFlight < maxBodyBytes) {
            throw new IllegalArgumentException("edge.maxBodyBytesInFlight: " + maxBodyBytesInFlight
                    + " (expected: >= edge.maxBodyBytes " + maxBodyBytes + ")");
        }
        if (maxBodyBytesInFlightPerAddress < maxBodyBytes || maxBodyBytesInFlightPerAddress > maxBodyBytesInFlight) {
            throw new IllegalArgumentException("edge.maxBodyBytesInFlightPerAddress: " + maxBodyBytesInFlightPerAddress
                    + " (expected: between edge.maxBodyBytes " + maxBodyBytes + " and edge.maxBodyBytesInFlight "
                    + maxBodyBytesInFlight + ")");
        }
        if (maxConnectionsPerAddress < 0) {
            throw new IllegalArgumentException("edge.maxConnectionsPerAddress: " + maxConnectionsPerAddress
                    + " (expected: >= 0, 0 = no cap)");
        }
        positive("edge.headerTimeout", headerTimeout);
        positive("edge.bodyTimeout", bodyTimeout);
    }

    private static void positive(String name, Duration d) {
        if (d == null) {
            throw new IllegalArgumentException(name + ": missing (expected: a positive duration)");
        }
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
    }

    /**
     * Local defaults: all interfaces on 8080, 4 MiB bodies (64 MiB of bodies in flight, 16 MiB per
     * address), 256 connections per address, 10 s for headers and 30 s for a body, production keys only, no trusted proxies.
     */
    public static EdgeConfig defaults() {
        return new EdgeConfig("0.0.0.0", DEFAULT_PORT, 4 * 1024 * 1024, 16 * 1024, Duration.ofSeconds(60), 0, true,
                true, Set.of(KeyEnvironment.PRODUCTION), List.of(), 100_000, Duration.ofSeconds(30),
                Duration.ofMinutes(10), Duration.ofSeconds(60), 4, Duration.ofSeconds(30), 100_000,
                Duration.ofSeconds(10), 64L * 1024 * 1024, 16L * 1024 * 1024, 256, Duration.ofSeconds(10),
                Duration.ofSeconds(30));
    }

    /** A copy to change a few settings: {@code config.toBuilder().port(0).build()}. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Changes settings of an {@link EdgeConfig}; {@link #build()} validates them. */
    public static final class Builder {
        private String host;
        private int port;
        private int maxBodyBytes;
        private int maxHeaderBytes;
        private Duration keepAliveIdleTimeout;
        private int ioThreads;
        private boolean nativeTransport;
        private boolean ioUring;
        private Set<KeyEnvironment> servedEnvironments;
        private List<String> trustedProxies;
        private long keyCacheMaxSize;
        private Duration keyCacheRefresh;
        private Duration keyCacheExpiry;
        private Duration keyCacheNegativeTtl;
        private int keyLoadThreads;
        private Duration catalogRefresh;
        private long rateLimitMaxKeys;
        private Duration shutdownGracePeriod;
        private long maxBodyBytesInFlight;
        private long maxBodyBytesInFlightPerAddress;
        private int maxConnectionsPerAddress;
        private Duration headerTimeout;
        private Duration bodyTimeout;

        private Builder(EdgeConfig c) {
            host = c.host;
            port = c.port;
            maxBodyBytes = c.maxBodyBytes;
            maxHeaderBytes = c.maxHeaderBytes;
            keepAliveIdleTimeout = c.keepAliveIdleTimeout;
            ioThreads = c.ioThreads;
            nativeTransport = c.nativeTransport;
            ioUring = c.ioUring;
            servedEnvironments = c.servedEnvironments;
            trustedProxies = c.trustedProxies;
            keyCacheMaxSize = c.keyCacheMaxSize;
            keyCacheRefresh = c.keyCacheRefresh;
            keyCacheExpiry = c.keyCacheExpiry;
            keyCacheNegativeTtl = c.keyCacheNegativeTtl;
            keyLoadThreads = c.keyLoadThreads;
            catalogRefresh = c.catalogRefresh;
            rateLimitMaxKeys = c.rateLimitMaxKeys;
            shutdownGracePeriod = c.shutdownGracePeriod;
            maxBodyBytesInFlight = c.maxBodyBytesInFlight;
            maxBodyBytesInFlightPerAddress = c.maxBodyBytesInFlightPerAddress;
            maxConnectionsPerAddress = c.maxConnectionsPerAddress;
            headerTimeout = c.headerTimeout;
            bodyTimeout = c.bodyTimeout;
        }

        public Builder host(String v) { host = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder maxBodyBytes(int v) { maxBodyBytes = v; return this; }
        public Builder maxHeaderBytes(int v) { maxHeaderBytes = v; return this; }
        public Builder keepAliveIdleTimeout(Duration v) { keepAliveIdleTimeout = v; return this; }
        public Builder ioThreads(int v) { ioThreads = v; return this; }
        public Builder nativeTransport(boolean v) { nativeTransport = v; return this; }
        public Builder ioUring(boolean v) { ioUring = v; return this; }
        public Builder servedEnvironments(Set<KeyEnvironment> v) { servedEnvironments = v; return this; }
        public Builder trustedProxies(List<String> v) { trustedProxies = v; return this; }
        public Builder keyCacheMaxSize(long v) { keyCacheMaxSize = v; return this; }
        public Builder keyCacheRefresh(Duration v) { keyCacheRefresh = v; return this; }
        public Builder keyCacheExpiry(Duration v) { keyCacheExpiry = v; return this; }
        public Builder keyCacheNegativeTtl(Duration v) { keyCacheNegativeTtl = v; return this; }
        public Builder keyLoadThreads(int v) { keyLoadThreads = v; return this; }
        public Builder catalogRefresh(Duration v) { catalogRefresh = v; return this; }
        public Builder rateLimitMaxKeys(long v) { rateLimitMaxKeys = v; return this; }
        public Builder shutdownGracePeriod(Duration v) { shutdownGracePeriod = v; return this; }
        public Builder maxBodyBytesInFlight(long v) { maxBodyBytesInFlight = v; return this; }
        public Builder maxBodyBytesInFlightPerAddress(long v) { maxBodyBytesInFlightPerAddress = v; return this; }
        public Builder maxConnectionsPerAddress(int v) { maxConnectionsPerAddress = v; return this; }
        public Builder headerTimeout(Duration v) { headerTimeout = v; return this; }
        public Builder bodyTimeout(Duration v) { bodyTimeout = v; return this; }

        public EdgeConfig build() {
            return new EdgeConfig(host, port, maxBodyBytes, maxHeaderBytes, keepAliveIdleTimeout, ioThreads,
                    nativeTransport, ioUring, servedEnvironments, trustedProxies, keyCacheMaxSize, keyCacheRefresh,
                    keyCacheExpiry, keyCacheNegativeTtl, keyLoadThreads, catalogRefresh, rateLimitMaxKeys,
                    shutdownGracePeriod, maxBodyBytesInFlight, maxBodyBytesInFlightPerAddress, maxConnectionsPerAddress,
                    headerTimeout, bodyTimeout);
        }
    }
}
