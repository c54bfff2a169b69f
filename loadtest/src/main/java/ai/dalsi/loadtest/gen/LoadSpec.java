package ai.dalsi.loadtest.gen;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * What one run of the load generator does. Validated on construction; errors name the option.
 *
 * @param baseUrl        {@code http://host:port} (an optional path prefix is kept; a trailing {@code /v1} is dropped,
 *                       since every request path starts with it)
 * @param mode           open loop at {@code rate}, or closed loop as fast as answers come
 * @param rate           requests per second in open loop (ignored in closed loop)
 * @param duration       how long requests are issued; the run then waits at most {@code drainTimeout} for answers
 * @param maxRequests    stop issuing after this many (0: no limit besides the duration)
 * @param connections    keep-alive connections, spread over {@code ioThreads} event loops
 * @param ioThreads      event loop threads of the generator
 * @param mix            request kinds and their weights
 * @param keys           keys and the shares of each key class
 * @param textModel      model named in chat and completion requests
 * @param imageModel     model named in image requests
 * @param drainTimeout   how long to wait for outstanding answers after the last request was issued
 * @param connectTimeout how long a connection attempt may take
 * @param seed           seed of the random choices (kinds, keys), so runs are repeatable
 */
public record LoadSpec(
        URI baseUrl,
        Mode mode,
        double rate,
        Duration duration,
        long maxRequests,
        int connections,
        int ioThreads,
        RequestMix mix,
        KeySet keys,
        String textModel,
        String imageModel,
        Duration drainTimeout,
        Duration connectTimeout,
        long seed) {

    /** How requests are paced. */
    public enum Mode {
        /** Constant arrival rate; latency counts from each request's intended send time. */
        OPEN,
        /** Each connection sends its next request when the previous one was answered. */
        CLOSED
    }

    public LoadSpec {
        Objects.requireNonNull(baseUrl, "--url");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(mix, "--mix");
        Objects.requireNonNull(keys, "keys");
        if (!"http".equals(baseUrl.getScheme()) || baseUrl.getHost() == null) {
            throw new IllegalArgumentException("--url: " + baseUrl + " (expected: http://host:port)");
        }
        if (mode == Mode.OPEN && !(rate > 0 && rate <= 10_000_000)) {
            throw new IllegalArgumentException("--rate: " + rate + " (expected: > 0 requests per second)");
        }
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("--duration: " + duration + " (expected: > 0)");
        }
        if (maxRequests < 0) {
            throw new IllegalArgumentException("--requests: " + maxRequests + " (expected: >= 0)");
        }
        if (connections < 1) {
            throw new IllegalArgumentException("--connections: " + connections + " (expected: >= 1)");
        }
        if (ioThreads < 1 || ioThreads > connections) {
            throw new IllegalArgumentException("--threads: " + ioThreads + " (expected: 1 to --connections)");
        }
        if (drainTimeout == null || drainTimeout.isNegative()) {
            throw new IllegalArgumentException("--drain: " + drainTimeout + " (expected: >= 0)");
        }
        if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connect timeout: " + connectTimeout + " (expected: > 0)");
        }
        String path = baseUrl.getPath() == null ? "" : baseUrl.getPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.endsWith("/v1")) {
            path = path.substring(0, path.length() - 3);
        }
        baseUrl = URI.create("http://" + baseUrl.getHost() + ":" + port(baseUrl) + path);
    }

    private static int port(URI url) {
        return url.getPort() < 0 ? 80 : url.getPort();
    }

    /** A spec with defaults for everything but the target, pacing and keys. */
    public static LoadSpec of(URI baseUrl, Mode mode, double rate, Duration duration, int connections, KeySet keys) {
        return new LoadSpec(baseUrl, mode, rate, duration, 0, connections, 1, RequestMix.DEFAULT, keys,
                "dalsi-ai", "dalsi-aivi", Duration.ofSeconds(5), Duration.ofSeconds(5), 42);
    }

    public String host() {
        return baseUrl.getHost();
    }

    public int port() {
        return baseUrl.getPort();
    }

    /** The path prefix before {@code /v1/...}, empty for most servers. */
    public String pathPrefix() {
        return baseUrl.getPath() == null ? "" : baseUrl.getPath();
    }

    public LoadSpec withMix(RequestMix m) {
        return new LoadSpec(baseUrl, mode, rate, duration, maxRequests, connections, ioThreads, m, keys,
                textModel, imageModel, drainTimeout, connectTimeout, seed);
    }

    public LoadSpec withKeys(KeySet k) {
        return new LoadSpec(baseUrl, mode, rate, duration, maxRequests, connections, ioThreads, mix, k,
                textModel, imageModel, drainTimeout, connectTimeout, seed);
    }

    public LoadSpec withTarget(URI url) {
        return new LoadSpec(url, mode, rate, duration, maxRequests, connections, ioThreads, mix, keys,
                textModel, imageModel, drainTimeout, connectTimeout, seed);
    }

    public LoadSpec withPacing(Mode m, double r, int conns, Duration d) {
        return new LoadSpec(baseUrl, m, r, d, maxRequests, conns, Math.min(ioThreads, conns), mix, keys,
                textModel, imageModel, drainTimeout, connectTimeout, seed);
    }

    public LoadSpec withMaxRequests(long max) {
        return new LoadSpec(baseUrl, mode, rate, duration, max, connections, ioThreads, mix, keys,
                textModel, imageModel, drainTimeout, connectTimeout, seed);
    }

    public LoadSpec withDrainTimeout(Duration drain) {
        return new LoadSpec(baseUrl, mode, rate, duration, maxRequests, connections, ioThreads, mix, keys,
                textModel, imageModel, drain, connectTimeout, seed);
    }
}
