package ai.dalsi.loadtest.backend;

import ai.dalsi.gateway.simulator.SimulatedBackend;
import ai.dalsi.gateway.simulator.SimulatorConfig;
import ai.dalsi.loadtest.LoadtestMain;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code loadtest.jar backend [options]}: runs the {@link SimulatedBackend} on its own until the
 * process is stopped (SIGTERM, Ctrl-C), for benchmarks and for trying a client against it. Prints
 * one line, {@code simulated backend listening on http://HOST:PORT (settings)}, once it is bound.
 */
public final class BackendCommand {

    private final PrintStream out;
    private final PrintStream err;

    public BackendCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /**
     * Starts the backend and stops it when the JVM shuts down.
     *
     * @return {@link LoadtestMain#KEEP_RUNNING} once serving; 0 after {@code --help}; 2 for bad
     *         options; 1 when the port cannot be bound
     */
    public int run(String[] args) {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            usage(out);
            return 0;
        }
        SimulatedBackend backend;
        try {
            backend = start(List.of(args));
        } catch (IllegalArgumentException e) {
            err.println("backend: " + e.getMessage());
            usage(err);
            return 2;
        } catch (IllegalStateException e) {
            err.println(e.getMessage());
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(backend::close, "sim-backend-shutdown"));
        return LoadtestMain.KEEP_RUNNING;
    }

    /**
     * Starts a backend with the given options and prints its line; the caller closes it.
     *
     * @throws IllegalArgumentException naming a bad option or setting
     * @throws IllegalStateException    when the address cannot be bound
     */
    public SimulatedBackend start(List<String> args) {
        SimulatorConfig config = SimulatorConfig.fromArgs(args);
        SimulatedBackend backend = SimulatedBackend.start(config);
        out.println("simulated backend listening on " + backend.baseUrl() + " (" + config.summary() + ")");
        out.flush();
        return backend;
    }

    private static void usage(PrintStream s) {
        s.println("usage: java -jar loadtest.jar backend [options]");
        s.println(SimulatorConfig.usage());
        s.println("Per-request overrides: x-sim-latency-ms, x-sim-ttft-ms, x-sim-tokens-per-second,");
        s.println("x-sim-completion-tokens, x-sim-status, x-sim-omit-usage, x-sim-abort-after-tokens.");
    }
}
