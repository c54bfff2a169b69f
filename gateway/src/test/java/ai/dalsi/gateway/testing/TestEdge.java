package ai.dalsi.gateway.testing;

import ai.dalsi.gateway.config.EdgeConfig;
import ai.dalsi.gateway.edge.EdgeServer;
import ai.dalsi.gateway.proxy.BackendProxy;
import ai.dalsi.gateway.proxy.BackendGroup;
import ai.dalsi.gateway.proxy.BackendTarget;
import ai.dalsi.persistence.testing.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A real edge on port 0 (bound to {@code ::}, so reachable as 127.0.0.1 and ::1) against a test
 * class's fresh database, with a recording sink and metrics, fake time, and a guard that records
 * SQL run on event loops. Seeds the standard catalog unless told not to.
 *
 * <pre>{@code
 * @ExtendWith(FreshDatabaseExtension.class)
 * class SomethingIT {
 *     final TestEdge edge;
 *     SomethingIT(TestDatabase db) { edge = TestEdge.builder(db).start(); }
 *     @AfterAll void stop() { edge.close(); }
 * }
 * }</pre>
 */
public final class TestEdge implements AutoCloseable {

    public final EdgeServer server;
    public final RecordingUsageSink sink;
    public final RecordingEdgeMetrics metrics;
    public final FakeTime time;
    public final EventLoopSqlGuard sql;
    public final EdgeSeed seed;
    private final HttpClient client;

    private TestEdge(Builder b) {
        this.sink = b.sink;
        this.metrics = new RecordingEdgeMetrics();
        this.time = b.time;
        this.sql = new EventLoopSqlGuard();
        this.seed = new EdgeSeed(b.db.dsl());
        if (b.seedCatalog) {
            seed.standardCatalog();
        }
        EdgeConfig config = b.config.apply(EdgeConfig.defaults().toBuilder()
                .host("::").port(0).ioThreads(2).keyLoadThreads(2).shutdownGracePeriod(Duration.ofSeconds(2))).build();
        this.server = EdgeServer.builder(config)
                .database(sql.guard(b.db.dsl()))
                .proxy(b.proxy)
                .backends(b.backends)
                .sink(sink)
                .metrics(metrics)
                .clock(time)
                .timeMeter(time)
                .ticker(time)
                .start();
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    public static Builder builder(TestDatabase db) {
        return new Builder(db);
    }

    public int port() {
        return server.port();
    }

    /** {@code http://127.0.0.1:<port><path>}. */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    /** {@code http://[::1]:<port><path>}. */
    public URI uri6(String path) {
        return URI.create("http://[::1]:" + port() + path);
    }

    /** A request builder for the path with the key as a Bearer token (no header when null). */
    public HttpRequest.Builder request(String path, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return b;
    }

    public HttpResponse<String> get(String path, String key) {
        return send(request(path, key).GET().build());
    }

    public HttpResponse<String> post(String path, String key, String json) {
        return send(request(path, key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /** A chat completion for the model. */
    public HttpResponse<String> chat(String key, String model) {
        return post("/v1/chat/completions", key,
                "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops the edge; fails if any SQL ran on an event loop while it served. */
    @Override
    public void close() {
        server.close();
        if (!sql.violations().isEmpty()) {
            throw new AssertionError("SQL ran on a Netty event loop: " + sql.violations());
        }
    }

    /** Options of a {@link TestEdge}. */
    public static final class Builder {
        private final TestDatabase db;
        private UnaryOperator<EdgeConfig.Builder> config = c -> c;
        private BackendProxy proxy = new CannedBackendProxy();
        private Function<String, BackendGroup> backends =
                model -> BackendGroup.single(new BackendTarget(URI.create("http://127.0.0.1:9"), null));
        private RecordingUsageSink sink = new RecordingUsageSink();
        private FakeTime time = FakeTime.startingNow();
        private boolean seedCatalog = true;

        private Builder(TestDatabase db) {
            this.db = db;
        }

        /** Changes the edge config (defaults: port 0 on ::, production keys, no trusted proxies). */
        public Builder config(UnaryOperator<EdgeConfig.Builder> v) { config = v; return this; }

        public Builder proxy(BackendProxy v) { proxy = v; return this; }

        public Builder backends(Function<String, BackendGroup> v) { backends = v; return this; }

        public Builder sink(RecordingUsageSink v) { sink = v; return this; }

        public Builder time(FakeTime v) { time = v; return this; }

        /** Whether to seed {@link EdgeSeed#standardCatalog()} first (default true). */
        public Builder seedCatalog(boolean v) { seedCatalog = v; return this; }

        public TestEdge start() {
            return new TestEdge(this);
        }
    }
}
