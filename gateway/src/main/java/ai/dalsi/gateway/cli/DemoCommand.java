package ai.dalsi.gateway.cli;

import ai.dalsi.gateway.config.GatewayConfig;
import ai.dalsi.gateway.config.WebhooksConfig;
import ai.dalsi.gateway.demo.DemoCatalog;
import ai.dalsi.gateway.serve.GatewayNode;
import ai.dalsi.gateway.serve.NodeStartException;
import ai.dalsi.gateway.serve.ProcessShutdown;
import ai.dalsi.gateway.simulator.SimulatedBackend;
import ai.dalsi.gateway.simulator.SimulatorConfig;
import ai.dalsi.persistence.Database;
import ai.dalsi.persistence.DatabaseUnavailableException;
import ai.dalsi.persistence.JdbcUrls;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;

/**
 * {@code demo}: the README's run command. Given only a reachable PostgreSQL ({@code GATEWAY_DB_URL},
 * default the local server), it migrates the database, seeds the demo catalog ({@link DemoCatalog}:
 * idempotent, plus a new demo key on every run), starts the simulated model backend in-process on a
 * free port with both demo models routed to it, and serves the same composition as {@code serve}
 * ({@link GatewayNode}: public port, admin port, metering, metrics). It prints the key once, a
 * ready-to-paste curl and the base URL for an OpenAI SDK, then runs until Ctrl-C or SIGTERM.
 *
 * <p>Decisions: every setting comes from the environment as for {@code serve} (ports 8080/8081 unless
 * {@code GATEWAY_HTTP_PORT}/{@code GATEWAY_ADMIN_PORT} say otherwise), except that the public port
 * binds 127.0.0.1 unless {@code GATEWAY_EDGE_HOST} is set (a demo should not face the network), the
 * backend settings are replaced by the simulator, the usage journal goes to
 * {@code journal/demo-<database>} under the working directory unless
 * {@code GATEWAY_METERING_JOURNAL_DIRECTORY} is set (one journal per database, so a journal is
 * never replayed into another database), when {@code GATEWAY_ADMIN_TOKEN} is not set, a random
 * admin token is generated for this run and printed, so the admin API can be tried at once, and
 * webhooks may go to http and private addresses (a receiver next to the demo) and are signed with a
 * secret generated and printed for the run unless {@code GATEWAY_WEBHOOKS_SIGNING_SECRET} is set.
 *
 * <p>Exit codes: 1 when the configuration is unusable, the database cannot be reached or a port is
 * taken (one line naming it and the variable to change); 2 on arguments; 0 after SIGTERM.
 */
public final class DemoCommand {

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

    public int run(String[] args) {
        if (args.length > 0) {
            err.println("demo: takes no arguments (settings come from the environment, e.g. GATEWAY_DB_URL,"
                    + " GATEWAY_HTTP_PORT, GATEWAY_ADMIN_PORT)");
            return 2;
        }
        GatewayConfig config = ServeCommand.load("demo", null, env, err);
        if (config == null) {
            return 1;
        }
        if (isBlank(env.get("GATEWAY_EDGE_HOST"))) {
            config = config.withEdge(config.edge().toBuilder().host("127.0.0.1").build());
        }
        if (isBlank(env.get("GATEWAY_METERING_JOURNAL_DIRECTORY"))) {
            config = config.withMetering(config.metering().withJournalDirectory(demoJournal(config.database().jdbcUrl())));
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
        config = config.withProxy(config.proxy().withBackend(backend.baseUrl().toString(), DemoCatalog.MODELS));
        GatewayNode node;
        try {
            node = GatewayNode.start(config);
        } catch (NodeStartException e) {
            backend.close();
            err.println("demo: " + e.getMessage());
            return 1;
        }
        printWelcome(config, node, backend, seeded, generatedToken);
        if (generatedSecret != null) {
            out.println("Webhook signing secret for this run (set GATEWAY_WEBHOOKS_SIGNING_SECRET to choose your own): "
                    + generatedSecret);
            out.flush();
        }
        return ProcessShutdown.awaitSignal(() -> {
            boolean clean = node.stop();
            backend.close();
            return clean;
        });
    }

    private void printWelcome(GatewayConfig config, GatewayNode node, SimulatedBackend backend,
            DemoCatalog.Seeded seeded, String generatedToken) {
        String base = "http://" + displayHost(config.edge().host()) + ":" + node.edgePort();
        String adminBase = "http://" + displayHost(config.admin().host()) + ":" + node.adminPort();
        String key = seeded.key();
        out.println();
        out.println("Dalsi AI gateway demo");
        out.println("  database:  " + JdbcUrls.masked(config.database().jdbcUrl()));
        if (!seeded.created().isEmpty()) {
            out.println("  seeded:    " + String.join(", ", seeded.created()));
        }
        if (!seeded.present().isEmpty()) {
            out.println("  kept:      " + String.join(", ", seeded.present()) + " (already there)");
        }
        for (String conflict : seeded.endpointConflicts()) {
            out.println("  warning:   " + conflict + "; requests to it go to that product");
        }
        out.println("  journal:   " + config.metering().journalDirectory().toAbsolutePath()
                + " (usage is journaled here before PostgreSQL)");
        out.println("  backend:   simulated, " + backend.baseUrl() + " (models " + String.join(", ", DemoCatalog.MODELS)
                + ")");
        out.println();
        out.println("Your demo API key (shown only now; the database keeps its hash):");
        out.println("  " + key);
        out.println();
        out.println("Chat completion:");
        out.println("  curl " + base + "/v1/chat/completions -H \"Authorization: Bearer " + key + "\""
                + " -H \"Content-Type: application/json\" -d '{\"model\":\"" + DemoCatalog.TEXT_MODEL
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}]}'");
        out.println();
        out.println("OpenAI SDKs (Python, Node, Java, ...) read these:");
        out.println("  OPENAI_BASE_URL=" + base + "/v1 OPENAI_API_KEY=" + key);
        out.println();
        out.println("Admin API, /metrics and /health/ready: " + adminBase);
        if (generatedToken != null) {
            out.println("  admin token for this run (set GATEWAY_ADMIN_TOKEN to choose your own): " + generatedToken);
            out.println("  curl -H \"Authorization: Bearer " + generatedToken + "\" \"" + adminBase
                    + "/admin/keys?user_id=" + seeded.userId() + "\"");
        } else {
            out.println("  admin token: the one in GATEWAY_ADMIN_TOKEN");
        }
        out.println();
        out.println("Ctrl-C stops the demo.");
        out.flush();
    }

    /**
     * The demo's journal: {@code journal/demo-<host>_<port>_<database>} under the working directory,
     * one per database, so that events a killed demo left behind are replayed into the database
     * they belong to, whichever database the next run uses.
     */
    static Path demoJournal(String jdbcUrl) {
        String rest = jdbcUrl.replaceFirst("^jdbc:postgresql://", "");
        int slash = rest.indexOf('/');
        String database = slash < 0 ? "postgres" : rest.substring(slash + 1).replaceFirst("[?;].*$", "");
        String name = (JdbcUrls.hostAndPort(jdbcUrl) + "_" + database).replaceAll("[^A-Za-z0-9._-]", "_");
        return Path.of("journal", "demo-" + name);
    }

    private static String displayHost(String host) {
        if (host.equals("0.0.0.0") || host.equals("::")) {
            return "127.0.0.1";
        }
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
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
