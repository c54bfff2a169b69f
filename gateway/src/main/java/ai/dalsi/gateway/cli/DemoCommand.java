package ai.dalsi.gateway.cli;

import ai.dalsi.gateway.config.ConfigLoader;
import ai.dalsi.gateway.config.GatewayConfig;
import ai.dalsi.gateway.config.WebhooksConfig;
import ai.dalsi.gateway.demo.DemoCatalog;
import ai.dalsi.gateway.demo.DemoDatabase;
import ai.dalsi.gateway.serve.GatewayNode;
import ai.dalsi.gateway.serve.NodeStartException;
import ai.dalsi.gateway.serve.ProcessShutdown;
import ai.dalsi.gateway.simulator.SimulatedBackend;
import ai.dalsi.gateway.simulator.SimulatorConfig;
import ai.dalsi.persistence.Database;
import ai.dalsi.persistence.DatabaseUnavailableException;
import ai.dalsi.persistence.JdbcUrls;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code demo}: the README's run command. It picks its database ({@link DemoDatabase}: the one named
 * by {@code GATEWAY_DB_URL}, else its own {@code dalsi_demo} on a local PostgreSQL, else an embedded
 * PostgreSQL whose data stays under the working directory), migrates it, seeds the demo catalog
 * ({@link DemoCatalog}, idempotent), starts the simulated model backend in-process on a free port
 * with both demo models routed to it, and serves the same composition as {@code serve}
 * ({@link GatewayNode}: public port, admin port, metering, metrics). Once the node serves, it
 * creates a new demo key and prints it once, a ready-to-paste curl, the base URL for an OpenAI SDK
 * and the admin token, then runs until Ctrl-C or SIGTERM.
 *
 * <p>Decisions: every setting comes from the environment as for {@code serve} (ports 8080/8081 unless
 * {@code GATEWAY_HTTP_PORT}/{@code GATEWAY_ADMIN_PORT} say otherwise), except that the public port
 * binds 127.0.0.1 unless {@code GATEWAY_EDGE_HOST} is set (a demo should not face the network), the
 * backend settings are replaced by the simulator, the usage journal is one per database (so a
 * journal is never replayed into another database) unless {@code GATEWAY_METERING_JOURNAL_DIRECTORY}
 * is set, when {@code GATEWAY_ADMIN_TOKEN} is not set, a random admin token is generated for this
 * run and printed with the line that sets it in the user's shell, and webhooks may go to http and
 * private addresses (a receiver next to the demo) and are signed with a secret generated and
 * printed for the run unless {@code GATEWAY_WEBHOOKS_SIGNING_SECRET} is set. The key is created
 * only once the node serves: a demo that cannot start (a port in use, a locked journal) leaves no
 * key behind.
 *
 * <p>Exit codes: 1 when the configuration is unusable, the database cannot be reached or a port is
 * taken (one line naming it and the variable to change); 2 on arguments; 0 after SIGTERM.
 */
@Command(name = "demo", description = {"Seed a demo catalog, start a simulated model backend and serve it with a new"
        + " demo key, until Ctrl-C or SIGTERM.",
        "Its database: GATEWAY_DB_URL if set; else the database dalsi_demo of the PostgreSQL on 127.0.0.1:5432 (created"
                + " if missing); else an embedded PostgreSQL with its data in demo-postgres/ under the working directory,"
                + " kept between runs. Other settings come from GATEWAY_* variables as for serve."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped in order after SIGTERM or Ctrl-C",
            "1:unusable configuration, no usable database, a port in use, ...", "2:bad arguments"})
public final class DemoCommand implements Callable<Integer> {

    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;
    private final SecureRandom random = new SecureRandom();

    public DemoCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        GatewayConfig config = ServeCommand.load("demo", null, env, err);
        if (config == null) {
            return 1;
        }
        if (!ConfigLoader.setInEnvironment(env, "edge.host")) {
            config = config.withEdge(config.edge().toBuilder().host("127.0.0.1").build());
        }
        DemoDatabase database;
        try {
            database = DemoDatabase.choose(config.database(), ConfigLoader.setInEnvironment(env, "database.url"),
                    directory -> {
                        out.println("Nothing answers on 127.0.0.1:5432 and GATEWAY_DB_URL is not set: starting an"
                                + " embedded PostgreSQL with its data in " + directory + " (kept between runs)");
                        out.flush();
                    });
        } catch (IllegalStateException e) {
            err.println("demo: " + e.getMessage());
            return 1;
        }
        config = config.withDatabase(database.config());
        if (!ConfigLoader.setInEnvironment(env, "metering.journalDirectory")) {
            config = config.withMetering(config.metering().withJournalDirectory(database.journal()));
        }
        // Webhooks may reach a receiver on this machine over http; a run without a secret signs with one of its own.
        if (isBlank(env.get("GATEWAY_WEBHOOKS_ALLOW_PRIVATE_TARGETS"))
                && isBlank(env.get("GATEWAY_WEBHOOKS_ALLOW_HTTP"))) {
            config = config.withWebhooks(config.webhooks().allowingLocalTargets());
        }
        String generatedSecret = null;
        if (!config.webhooks().signingEnabled()) {
            byte[] secret = new byte[32];
            random.nextBytes(secret);
            generatedSecret = WebhooksConfig.SECRET_PREFIX + Base64.getEncoder().encodeToString(secret);
            config = config.withWebhooks(config.webhooks().withSigningSecret(generatedSecret));
        }
        String generatedToken = null;
        if (!config.admin().tokenEnabled()) {
            generatedToken = token();
            config = config.withAdmin(config.admin().withToken(generatedToken));
        }
        int failed = run(config, database, generatedToken, generatedSecret);
        database.close();
        return failed;
    }

    /**
     * Seeds, starts and serves. Returns only when the demo could not start (with its exit code); once
     * it serves, it runs until a signal ends the JVM ({@link ProcessShutdown}).
     */
    private int run(GatewayConfig config, DemoDatabase database, String generatedToken, String generatedSecret) {
        DemoCatalog.Seeded seeded;
        try (Database db = Database.open(config.database().withMaxPoolSize(2).withMigrateOnStart(true))) {
            seeded = new DemoCatalog(db.dsl(), random, Clock.systemUTC()).seed();
        } catch (DatabaseUnavailableException e) {
            err.println("demo: " + e.getMessage() + " (set GATEWAY_DB_URL, GATEWAY_DB_USER, GATEWAY_DB_PASSWORD)");
            return 1;
        } catch (RuntimeException e) {
            err.println("demo: cannot prepare the database " + JdbcUrls.masked(config.database().jdbcUrl()) + ": "
                    + DatabaseUnavailableException.rootMessage(e));
            return 1;
        }

        SimulatedBackend backend;
        try {
            backend = SimulatedBackend.start(SimulatorConfig.builder().host("127.0.0.1").port(0)
                    .models(DemoCatalog.MODELS).build());
        } catch (IllegalStateException e) {
            err.println("demo: " + e.getMessage());
            return 1;
        }
        GatewayConfig serving = config.withProxy(config.proxy().withBackend(backend.baseUrl().toString(),
                DemoCatalog.MODELS));
        GatewayNode node;
        try {
            node = GatewayNode.start(serving);
        } catch (NodeStartException e) {
            backend.close();
            err.println("demo: " + e.getMessage());
            return 1;
        }
        DemoCatalog.DemoKey key;
        DemoCatalog.Usage usage;
        try (Database db = Database.open(serving.database().withMaxPoolSize(1).withMigrateOnStart(false))) {
            DemoCatalog catalog = new DemoCatalog(db.dsl(), random, Clock.systemUTC());
            usage = catalog.usage(seeded.userId());
            key = catalog.createKey(seeded.userId());
        } catch (RuntimeException e) {
            node.stop();
            backend.close();
            err.println("demo: cannot create the demo key in " + JdbcUrls.masked(serving.database().jdbcUrl()) + ": "
                    + DatabaseUnavailableException.rootMessage(e));
            return 1;
        }
        new DemoWelcome(out).print(serving, node, backend, database, seeded, usage, key, generatedToken);
        if (generatedSecret != null) {
            out.println("Webhook signing secret for this run (set GATEWAY_WEBHOOKS_SIGNING_SECRET to choose your own): "
                    + generatedSecret);
            out.flush();
        }
        return ProcessShutdown.awaitSignal(() -> {
            boolean clean = node.stop();
            backend.close();
            try {
                database.close();
            } catch (IllegalStateException e) {
                err.println("demo: " + e.getMessage());
                clean = false;
            }
            return clean;
        });
    }

    private String token() {
        StringBuilder sb = new StringBuilder("demo-");
        for (int i = 0; i < 32; i++) {
            sb.append(BASE62.charAt(random.nextInt(BASE62.length())));
        }
        return sb.toString();
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
