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

/**
 * {@code serve [--config FILE]}: loads the configuration (defaults, the file, the environment),
 * starts a {@link GatewayNode} and runs until SIGTERM or Ctrl-C, then stops it in order and exits 0
 * (see {@link ProcessShutdown}).
 *
 * <p>Exit codes: 1 when the configuration is unusable (one line per problem, each naming the
 * setting) or the node cannot start (one line: the database does not answer, a port is taken, ...);
 * 2 on bad arguments. Never a stack trace for these.
 */
public final class ServeCommand {

    static final String USAGE = "usage: java -jar gateway.jar serve [--config FILE]   (settings: gateway-defaults.yaml;"
            + " every setting is also an environment variable, e.g. GATEWAY_HTTP_PORT)";

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    public ServeCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    public int run(String[] args) {
        Path file = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                out.println(USAGE);
                return 0;
            } else if (a.equals("--config") && i + 1 < args.length && file == null) {
                file = Path.of(args[++i]);
            } else if (a.startsWith("--config=") && file == null) {
                file = Path.of(a.substring("--config=".length()));
            } else {
                err.println("serve: unexpected argument " + a + "\n" + USAGE);
                return 2;
            }
        }
        GatewayConfig config = load("serve", file, env, err);
        if (config == null) {
            return 1;
        }
        GatewayNode node;
        try {
            node = GatewayNode.start(config);
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
