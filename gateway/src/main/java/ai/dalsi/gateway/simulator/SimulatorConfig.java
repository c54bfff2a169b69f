package ai.dalsi.gateway.simulator;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * How the {@link SimulatedBackend} behaves: where it listens and how its answers are shaped.
 * Validated on construction; a wrong value fails with a message naming the setting, e.g.
 * {@code "simulator.errorRate: 1.5 (expected: 0..1)"}. Every request can override the timing and
 * size for itself through {@code x-sim-*} headers (see {@link SimulatedBackend}).
 *
 * @param host              address to bind, e.g. {@code 127.0.0.1}
 * @param port              port to bind; 0 picks a free one
 * @param ioThreads         event-loop threads of the backend's own group
 * @param latency           delay before a non-streamed answer is sent
 * @param timeToFirstToken  delay before the first chunk of a stream is sent
 * @param tokensPerSecond   pace of streamed content tokens after the first; 0 sends them as fast as
 *                          the connection takes them
 * @param completionTokens  size of an answer in tokens, before a request's {@code max_tokens} cap
 * @param errorRate         share (0..1) of generation and image requests answered with a 500
 * @param seed              seeds the choice of which requests get an injected error
 * @param models            ids listed by {@code GET /v1/models}; requests may name any model and
 *                          get it echoed
 * @param imageLatency      delay before an image generation is answered
 */
public record SimulatorConfig(
        String host,
        int port,
        int ioThreads,
        Duration latency,
        Duration timeToFirstToken,
        double tokensPerSecond,
        int completionTokens,
        double errorRate,
        long seed,
        List<String> models,
        Duration imageLatency) {

    /** Largest answer we generate; bounds the work one request can ask for. */
    public static final int MAX_COMPLETION_TOKENS = 1_000_000;

    public SimulatorConfig {
        if (host == null || host.isBlank()) {
            throw invalid("host", host, "an address such as 127.0.0.1");
        }
        if (port < 0 || port > 65_535) {
            throw invalid("port", port, "0..65535, 0 = any free port");
        }
        if (ioThreads < 1 || ioThreads > 256) {
            throw invalid("ioThreads", ioThreads, "1..256");
        }
        requireNonNegative("latency", latency);
        requireNonNegative("timeToFirstToken", timeToFirstToken);
        requireNonNegative("imageLatency", imageLatency);
        if (!(tokensPerSecond >= 0) || Double.isInfinite(tokensPerSecond)) {
            throw invalid("tokensPerSecond", tokensPerSecond, ">= 0, 0 = as fast as possible");
        }
        if (completionTokens < 1 || completionTokens > MAX_COMPLETION_TOKENS) {
            throw invalid("completionTokens", completionTokens, "1.." + MAX_COMPLETION_TOKENS);
        }
        if (!(errorRate >= 0 && errorRate <= 1)) {
            throw invalid("errorRate", errorRate, "0..1");
        }
        if (models == null || models.isEmpty()) {
            throw invalid("models", models, "at least one model id");
        }
        models = List.copyOf(models);
        if (models.stream().anyMatch(String::isBlank) || new HashSet<>(models).size() != models.size()) {
            throw invalid("models", models, "distinct, non-blank model ids");
        }
    }

    /** Settings for a demo: small delays, a visibly paced stream, no injected errors. */
    public static SimulatorConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings, to change a few of them. */
    public Builder toBuilder() {
        return new Builder()
                .host(host)
                .port(port)
                .ioThreads(ioThreads)
                .latency(latency)
                .timeToFirstToken(timeToFirstToken)
                .tokensPerSecond(tokensPerSecond)
                .completionTokens(completionTokens)
                .errorRate(errorRate)
                .seed(seed)
                .models(models)
                .imageLatency(imageLatency);
    }

    /** One line for logs and the console. */
    public String summary() {
        return "latency " + latency.toMillis() + " ms, ttft " + timeToFirstToken.toMillis() + " ms, "
                + (tokensPerSecond == 0 ? "unpaced" : formatRate(tokensPerSecond) + " tokens/s") + ", "
                + completionTokens + " completion tokens, error rate " + errorRate
                + ", image latency " + imageLatency.toMillis() + " ms, " + ioThreads + " io thread(s), models "
                + String.join(",", models);
    }

    /** A token rate as people write it: {@code 50}, {@code 12.5}. */
    public static String formatRate(double rate) {
        return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
    }

    private static void requireNonNegative(String setting, Duration value) {
        if (value == null || value.isNegative()) {
            throw invalid(setting, value, ">= 0 ms");
        }
    }

    private static IllegalArgumentException invalid(String setting, Object value, String expected) {
        return new IllegalArgumentException("simulator." + setting + ": " + value + " (expected: " + expected + ")");
    }

    /**
     * Builds a {@link SimulatorConfig}, starting from the demo defaults. Unless set, the time to
     * first token follows the latency.
     */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 0;
        private int ioThreads = 1;
        private Duration latency = Duration.ofMillis(20);
        private Duration timeToFirstToken;
        private double tokensPerSecond = 50;
        private int completionTokens = 24;
        private double errorRate = 0;
        private long seed = 42;
        private List<String> models = List.of("dalsi-ai", "dalsi-aivi");
        private Duration imageLatency = Duration.ofMillis(100);

        private Builder() {
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder ioThreads(int ioThreads) {
            this.ioThreads = ioThreads;
            return this;
        }

        public Builder latency(Duration latency) {
            this.latency = latency;
            return this;
        }

        public Builder timeToFirstToken(Duration timeToFirstToken) {
            this.timeToFirstToken = Objects.requireNonNull(timeToFirstToken, "timeToFirstToken");
            return this;
        }

        public Builder tokensPerSecond(double tokensPerSecond) {
            this.tokensPerSecond = tokensPerSecond;
            return this;
        }

        public Builder completionTokens(int completionTokens) {
            this.completionTokens = completionTokens;
            return this;
        }

        public Builder errorRate(double errorRate) {
            this.errorRate = errorRate;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder models(List<String> models) {
            this.models = models;
            return this;
        }

        public Builder imageLatency(Duration imageLatency) {
            this.imageLatency = imageLatency;
            return this;
        }

        public SimulatorConfig build() {
            return new SimulatorConfig(host, port, ioThreads, latency,
                    timeToFirstToken != null ? timeToFirstToken : latency,
                    tokensPerSecond, completionTokens, errorRate, seed, models, imageLatency);
        }
    }
}
