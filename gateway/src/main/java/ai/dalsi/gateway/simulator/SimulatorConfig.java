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

    /**
     * Builds the settings from command-line options (see {@link #usage()}), starting from
     * {@link #defaults()}. Accepts {@code --name value} and {@code --name=value}.
     *
     * @throws IllegalArgumentException naming the option or setting that is wrong
     */
    public static SimulatorConfig fromArgs(List<String> args) {
        Builder b = builder();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String name;
            String value;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            } else {
                name = arg;
                if (!arg.startsWith("--")) {
                    throw new IllegalArgumentException("unexpected argument: " + arg + " (expected: --option value)");
                }
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(name + ": missing value");
                }
                value = args.get(++i);
            }
            switch (name) {
                case "--host" -> b.host(value);
                case "--port" -> b.port(parseInt(name, value));
                case "--threads" -> b.ioThreads(parseInt(name, value));
                case "--latency-ms" -> b.latency(Duration.ofMillis(parseLong(name, value)));
                case "--ttft-ms" -> b.timeToFirstToken(Duration.ofMillis(parseLong(name, value)));
                case "--tokens-per-second" -> b.tokensPerSecond(parseDouble(name, value));
                case "--completion-tokens" -> b.completionTokens(parseInt(name, value));
                case "--error-rate" -> b.errorRate(parseDouble(name, value));
                case "--seed" -> b.seed(parseLong(name, value));
                case "--models" -> b.models(List.of(value.split(",", -1)));
                case "--image-latency-ms" -> b.imageLatency(Duration.ofMillis(parseLong(name, value)));
                default -> throw new IllegalArgumentException("unknown option: " + name);
            }
        }
        return b.build();
    }

    /** The options {@link #fromArgs} understands, one per line, with their defaults. */
    public static String usage() {
        SimulatorConfig d = defaults();
        return String.join("\n",
                "  --host ADDRESS             address to bind (default " + d.host + ")",
                "  --port N                   port to bind, 0 = any free port (default " + d.port + ")",
                "  --threads N                event-loop threads (default " + d.ioThreads + ")",
                "  --latency-ms N             delay before a non-streamed answer, and before the first",
                "                             stream chunk unless --ttft-ms is given (default " + d.latency.toMillis() + ")",
                "  --ttft-ms N                time to first token of a stream (default: --latency-ms)",
                "  --tokens-per-second X      stream pace, 0 = as fast as possible (default " + formatRate(d.tokensPerSecond) + ")",
                "  --completion-tokens N      answer size in tokens, capped by max_tokens (default " + d.completionTokens + ")",
                "  --error-rate X             share 0..1 of requests answered with 500 (default " + d.errorRate + ")",
                "  --seed N                   seed for choosing the failing requests (default " + d.seed + ")",
                "  --models A,B               model ids listed by /v1/models (default " + String.join(",", d.models) + ")",
                "  --image-latency-ms N       delay before an image generation answer (default " + d.imageLatency.toMillis() + ")");
    }

    /** One line for logs and the console. */
    public String summary() {
        return "latency " + latency.toMillis() + " ms, ttft " + timeToFirstToken.toMillis() + " ms, "
                + (tokensPerSecond == 0 ? "unpaced" : formatRate(tokensPerSecond) + " tokens/s") + ", "
                + completionTokens + " completion tokens, error rate " + errorRate
                + ", image latency " + imageLatency.toMillis() + " ms, " + ioThreads + " io thread(s), models "
                + String.join(",", models);
    }

    private static String formatRate(double rate) {
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

    private static int parseInt(String option, String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": " + value + " (expected: a whole number)");
        }
    }

    private static long parseLong(String option, String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": " + value + " (expected: a whole number)");
        }
    }

    private static double parseDouble(String option, String value) {
        try {
            return Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": " + value + " (expected: a number)");
        }
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
