package ai.dalsi.loadtest.backend;

import ai.dalsi.gateway.cli.Cli;
import ai.dalsi.gateway.simulator.SimulatedBackend;
import ai.dalsi.gateway.simulator.SimulatorConfig;
import ai.dalsi.loadtest.LoadtestMain;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code loadtest.jar backend [options]}: runs the {@link SimulatedBackend} on its own until the
 * process is stopped (SIGTERM, Ctrl-C), for benchmarks and for trying a client against it. Prints
 * one line, {@code simulated backend listening on http://HOST:PORT (settings)}, once it is bound.
 * The options' defaults are {@link SimulatorConfig#defaults()}.
 */
@Command(name = "backend", defaultValueProvider = BackendCommand.Defaults.class,
        description = "Run the simulated OpenAI-compatible model backend until SIGTERM or Ctrl-C.",
        footer = {"", "One request can shape its own answer with headers: x-sim-latency-ms, x-sim-ttft-ms,"
                + " x-sim-tokens-per-second, x-sim-completion-tokens, x-sim-status (force an error status),"
                + " x-sim-omit-usage: true, x-sim-abort-after-tokens (the connection breaks mid-stream)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped by SIGTERM or Ctrl-C", "1:the address cannot be bound", "2:bad arguments"})
public final class BackendCommand implements Callable<Integer> {

    private final PrintStream out;

    @Spec
    CommandSpec spec;

    @Option(names = "--host", paramLabel = "ADDRESS", description = "address to bind (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", paramLabel = "N", description = "port to bind, 0 = any free port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--threads", paramLabel = "N", description = "event-loop threads (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--latency-ms", paramLabel = "MS", description = "delay before a non-streamed answer, and before the"
            + " first stream chunk unless --ttft-ms is given (default: ${DEFAULT-VALUE})")
    long latencyMs;

    @Option(names = "--ttft-ms", paramLabel = "MS", description = "time to the first token of a stream"
            + " (default: --latency-ms)")
    Long ttftMs;

    @Option(names = "--tokens-per-second", paramLabel = "RATE", description = "stream pace, 0 = as fast as possible"
            + " (default: ${DEFAULT-VALUE})")
    double tokensPerSecond;

    @Option(names = "--completion-tokens", paramLabel = "N", description = "answer size in tokens, capped by a"
            + " request's max_tokens (default: ${DEFAULT-VALUE})")
    int completionTokens;

    @Option(names = "--error-rate", paramLabel = "SHARE", description = "share 0..1 of requests answered with 500"
            + " (default: ${DEFAULT-VALUE})")
    double errorRate;

    @Option(names = "--seed", paramLabel = "N", description = "seed for choosing the failing requests"
            + " (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--models", paramLabel = "ID,...", split = ",", description = "model ids listed by /v1/models"
            + " (default: ${DEFAULT-VALUE})")
    List<String> models;

    @Option(names = "--image-latency-ms", paramLabel = "MS", description = "delay before an image generation answer"
            + " (default: ${DEFAULT-VALUE})")
    long imageLatencyMs;

    public BackendCommand(PrintStream out, PrintStream err) {
        this.out = out;
    }

    /**
     * Starts the backend and stops it when the JVM shuts down.
     *
     * @return {@link LoadtestMain#KEEP_RUNNING} once serving; 1 when the port cannot be bound
     */
    @Override
    public Integer call() {
        SimulatorConfig config;
        try {
            SimulatorConfig.Builder b = SimulatorConfig.builder().host(host).port(port).ioThreads(threads)
                    .latency(Duration.ofMillis(latencyMs)).tokensPerSecond(tokensPerSecond)
                    .completionTokens(completionTokens).errorRate(errorRate).seed(seed).models(models)
                    .imageLatency(Duration.ofMillis(imageLatencyMs));
            if (ttftMs != null) {
                b.timeToFirstToken(Duration.ofMillis(ttftMs));
            }
            config = b.build();
        } catch (IllegalArgumentException e) {
            throw Cli.badArgument(spec, e.getMessage());
        }
        SimulatedBackend backend;
        try {
            backend = start(config);
        } catch (IllegalStateException e) {
            spec.commandLine().getErr().println("backend: " + e.getMessage());
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(backend::close, "sim-backend-shutdown"));
        return LoadtestMain.KEEP_RUNNING;
    }

    /**
     * Starts a backend with these settings and prints its line; the caller closes it.
     *
     * @throws IllegalStateException when the address cannot be bound
     */
    public SimulatedBackend start(SimulatorConfig config) {
        SimulatedBackend backend = SimulatedBackend.start(config);
        out.println("simulated backend listening on " + backend.baseUrl() + " (" + config.summary() + ")");
        out.flush();
        return backend;
    }

    /** The options' defaults, from {@link SimulatorConfig#defaults()}, so help and behaviour agree. */
    static final class Defaults implements IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec arg) {
            if (!(arg instanceof OptionSpec option)) {
                return null;
            }
            SimulatorConfig d = SimulatorConfig.defaults();
            return switch (option.longestName()) {
                case "--host" -> d.host();
                case "--port" -> Integer.toString(d.port());
                case "--threads" -> Integer.toString(d.ioThreads());
                case "--latency-ms" -> Long.toString(d.latency().toMillis());
                case "--tokens-per-second" -> SimulatorConfig.formatRate(d.tokensPerSecond());
                case "--completion-tokens" -> Integer.toString(d.completionTokens());
                case "--error-rate" -> Double.toString(d.errorRate());
                case "--seed" -> Long.toString(d.seed());
                case "--models" -> String.join(",", d.models());
                case "--image-latency-ms" -> Long.toString(d.imageLatency().toMillis());
                default -> null;
            };
        }
    }
}
