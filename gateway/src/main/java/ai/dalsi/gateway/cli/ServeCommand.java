package ai.dalsi.gateway.cli;

import ai.dalsi.gateway.config.ConfigException;
import ai.dalsi.gateway.config.ConfigLoader;
import ai.dalsi.gateway.config.GatewayConfig;
import ai.dalsi.gateway.serve.GatewayNode;
import ai.dalsi.gateway.serve.NodeStartException;
import ai.dalsi.gateway.serve.ProcessShutdown;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code serve [--config FILE]}: loads the configuration (defaults, the file, the environment),
 * starts a {@link GatewayNode} and runs until SIGTERM or Ctrl-C, then stops it in order and exits 0
 * (see {@link ProcessShutdown}).
 *
 * <p>Exit codes: 1 when the configuration is unusable (one line per problem, each naming the
 * setting) or the node cannot start (one line: the database does not answer, a port is taken, ...);
 * 2 on bad arguments. Never a stack trace for these.
 */
@Command(name = "serve", description = {"Run a gateway node until SIGTERM or Ctrl-C.",
        "Every setting and its default is in gateway-defaults.yaml; a --config file overrides them, and every"
                + " setting is also an environment variable (admin.sweepInterval is GATEWAY_ADMIN_SWEEP_INTERVAL),"
                + " which overrides the file."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped in order after SIGTERM or Ctrl-C",
            "1:unusable configuration (one line per problem), unreachable database, port in use, ...",
            "2:bad arguments"})
public final class ServeCommand implements Callable<Integer> {

    private final Map<String, String> env;
    private final PrintStream err;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML or JSON file with settings (same layout as"
            + " gateway-defaults.yaml)")
    Path config;

    public ServeCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.err = err;
    }

    @Override
    public Integer call() {
        GatewayConfig loaded = load("serve", config, env, err);
        if (loaded == null) {
            return 1;
        }
        GatewayNode node;
        try {
            node = GatewayNode.start(loaded);
        } catch (NodeStartException e) {
            err.println("serve: " + e.getMessage());
            return 1;
        }
        return ProcessShutdown.awaitSignal(node::stop);
    }

    /** The configuration, or null after printing one line per problem. */
    static GatewayConfig load(String command, Path file, Map<String, String> env, PrintStream err) {
        try {
            return ConfigLoader.load(file, env);
        } catch (ConfigException e) {
            for (String problem : e.problems()) {
                err.println(command + ": " + problem);
            }
            return null;
        }
    }
}
