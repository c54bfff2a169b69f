package ai.dalsi.loadtest.compare;

import ai.dalsi.loadtest.reconcile.Reconciler;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The gateway arm, in one place so its wiring can follow the gateway's interface: a fresh
 * database on the local PostgreSQL (created here, migrated with {@code gateway.jar migrate}, given
 * a catalog, dropped at the end), {@code java -jar gateway.jar serve} as its own JVM configured by
 * environment variables, and its keys created through the admin API: a user
 * ({@code POST /admin/users}), keys with limits no load reaches, and over-limit keys with a limit
 * of one request per minute, hour and day ({@code POST /admin/keys}, Bearer admin token).
 *
 * <p>Skipped, with the reason, when the jar is missing or has no {@code serve} command.
 */
final class GatewayArm extends Target {

    /** The scopes of the catalog's products; keys get all of them. */
    static final List<String> SCOPES = List.of("ai.chat", "ai.code", "ai.image");
    /** The highest limit api_keys can hold (integer columns). */
    static final int AMPLE_LIMIT = Integer.MAX_VALUE;

    private final CompareOptions options;
    private final String database;
    private final String jdbcUrl;
    private final ChildProcess process;
    private boolean closed;

    private GatewayArm(String name, CompareOptions options, String database, String jdbcUrl, ChildProcess process,
            URI url, List<String> known, List<String> overLimit) {
        super(name, url, known, overLimit);
        this.options = options;
        this.database = database;
        this.jdbcUrl = jdbcUrl;
        this.process = process;
    }

    /** Checks that the gateway jar exists and has a {@code serve} command, without starting anything. */
    static void preflight(CompareOptions o) throws ArmUnavailable {
        preflight(o, o.gatewayJar());
    }

    /** Checks that {@code jar} exists and has a {@code serve} command, without starting anything. */
    static void preflight(CompareOptions o, Path jar) throws ArmUnavailable {
        if (!Files.isRegularFile(jar)) {
            throw new ArmUnavailable("no gateway jar at " + jar + " (build it: ./mvnw -B -DskipTests package)");
        }
        String help;
        try {
            Process p = new ProcessBuilder(o.java(), "-jar", jar.toString(), "help").redirectErrorStream(true).start();
            help = new String(p.getInputStream().readAllBytes());
            p.waitFor(60, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new ArmUnavailable("cannot run " + jar + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ArmUnavailable("interrupted");
        }
        if (!help.lines().anyMatch(l -> l.trim().startsWith("serve"))) {
            throw new ArmUnavailable(jar.getFileName() + " has no serve command yet (its help lists: "
                    + help.lines().skip(1).map(String::trim).filter(l -> !l.isEmpty()).map(l -> l.split("\\s+")[0])
                    .toList() + ")");
        }
    }

    /**
     * Starts one gateway arm.
     *
     * @param name     the arm's name: its process, log and report entries
     * @param jar      the gateway build it runs
     * @param jvmOptions options of its JVM
     * @param redisUrl where its limiter keeps the keys' limits, or null for its own memory
     */
    static GatewayArm start(String name, Path jar, List<String> jvmOptions, String redisUrl, CompareOptions o,
            Pinning pinning, Path dir, URI backendUrl, int knownCount, int overCount) throws IOException {
        String db = "loadtest_" + Long.toString(Math.abs(new SecureRandom().nextLong()), 36);
        String jdbcUrl = databaseUrl(o.dbUrl(), db);
        admin(o, "CREATE DATABASE " + db);
        ChildProcess p = null;
        try {
            Map<String, String> env = new HashMap<>();
            env.put("GATEWAY_DB_URL", jdbcUrl);
            env.put("GATEWAY_DB_USER", o.dbUser());
            env.put("GATEWAY_DB_PASSWORD", o.dbPassword());
            migrate(name, jar, o, env, dir);
            seedCatalog(jdbcUrl, o.dbUser(), o.dbPassword(), o.textModel(), o.imageModel());

            int httpPort = Ports.free();
            int adminPort = Ports.free();
            byte[] token = new byte[32];
            new SecureRandom().nextBytes(token);
            String adminToken = Base64.getUrlEncoder().withoutPadding().encodeToString(token);
            env.put("GATEWAY_HTTP_PORT", Integer.toString(httpPort));
            env.put("GATEWAY_ADMIN_PORT", Integer.toString(adminPort));
            env.put("GATEWAY_ADMIN_TOKEN", adminToken);
            env.put("GATEWAY_BACKEND_URL", backendUrl.toString());
            env.put("MALLOC_ARENA_MAX", CompareOptions.GATEWAY_MALLOC_ARENA_MAX);
            if (redisUrl != null) {
                // Limits checked in Redis, one script call per request, as on every node of a cluster; the
                // database's name makes the prefix, so a run never sees another run's (or a gateway's) keys.
                env.put("GATEWAY_RATELIMIT_REDIS_URL", redisUrl);
                env.put("GATEWAY_RATELIMIT_REDIS_KEY_PREFIX", "loadtest:" + db + ":");
            }
            List<String> cmd = new ArrayList<>();
            cmd.add(o.java());
            cmd.addAll(jvmOptions);
            if (o.profile() != null) {
                cmd.addAll(Profiler.jvmOptions());
            }
            if (o.jfr()) {
                // Where the time goes, for the report's "why" when a target is missed: jfr print/summary on it.
                cmd.add("-XX:StartFlightRecording=filename=" + dir.toAbsolutePath().resolve(name + ".jfr")
                        + ",settings=profile,dumponexit=true");
            }
            cmd.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "serve"));
            p = ChildProcess.start(name, pinning.wrap(cmd), env, dir.resolve(name), dir.resolve("logs/" + name + ".log"));
            URI admin = URI.create("http://127.0.0.1:" + adminPort);
            p.awaitHttp(URI.create(admin + "/health/ready"), 200, Duration.ofSeconds(90));

            GatewayAdmin client = new GatewayAdmin(admin, adminToken);
            String userId = client.createUser("loadtest-" + db + "@example.com", "Load test");
            List<String> known = new ArrayList<>();
            for (int i = 0; i < knownCount; i++) {
                known.add(client.createKey(userId, "load-" + i, AMPLE_LIMIT));
            }
            List<String> over = new ArrayList<>();
            for (int i = 0; i < overCount; i++) {
                over.add(client.createKey(userId, "over-limit-" + i, 1));
            }
            return new GatewayArm(name, o, db, jdbcUrl, p, URI.create("http://127.0.0.1:" + httpPort), known, over);
        } catch (IOException | RuntimeException e) {
            if (p != null) {
                p.close();
            }
            dropQuietly(o, db);
            throw e;
        }
    }

    /** A reconciler on this arm's database. */
    Reconciler reconciler() {
        return new Reconciler(jdbcUrl, options.dbUser(), options.dbPassword());
    }

    /** The gateway process is still running (it may have died under load). */
    boolean alive() {
        return process.alive();
    }

    /** The database on the same server as the admin URL. */
    static String databaseUrl(String adminUrl, String database) {
        int q = adminUrl.indexOf('?');
        String base = q < 0 ? adminUrl : adminUrl.substring(0, q);
        String params = q < 0 ? "" : adminUrl.substring(q);
        int slash = base.indexOf('/', "jdbc:postgresql://".length());
        return (slash < 0 ? base : base.substring(0, slash)) + "/" + database + params;
    }

    private static void migrate(String name, Path jar, CompareOptions o, Map<String, String> env, Path dir)
            throws IOException {
        Path log = dir.resolve("logs/" + name + "-migrate.log");
        ProcessBuilder pb = new ProcessBuilder(o.java(), "-jar", jar.toAbsolutePath().toString(), "migrate")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Files.createDirectories(dir.resolve("logs"));
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("gateway.jar migrate failed; see " + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /**
     * The products and models the load uses, with prices so that usage rows carry a cost. Written
     * with SQL because the catalog is the benchmark's fixture, not what it measures; the keys, which
     * are part of what the gateway must get right, go through the admin API.
     */
    static void seedCatalog(String jdbcUrl, String user, String password, String textModel, String imageModel)
            throws IOException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password);
             Statement s = c.createStatement()) {
            s.execute("""
                    INSERT INTO api_products (name, display_name, price_per_1k_tokens, base_price_usd, endpoints,
                                              required_scopes, required_subscription_tier, kind)
                    VALUES ('ai.chat', 'Chat', 0.002, 0, '{/v1/chat/completions}', '{ai.chat}', 'free', 'chat'),
                           ('ai.code', 'Code', 0.002, 0, '{/v1/completions}', '{ai.code}', 'free', 'completion'),
                           ('ai.image', 'Images', 0, 0.02, '{/v1/images/generations}', '{ai.image}', 'free', 'image')
                    ON CONFLICT (name) DO NOTHING""");
            s.execute("INSERT INTO ai_models (name, type, pricing) VALUES "
                    + "('" + textModel + "', 'text', '{\"input_per_1k\": 0.0005, \"output_per_1k\": 0.0015}'), "
                    + "('" + imageModel + "', 'multimodal', '{\"input_per_1k\": 0.001, \"output_per_1k\": 0.002, "
                    + "\"per_image\": 0.02}') ON CONFLICT (name) DO NOTHING");
        } catch (SQLException e) {
            throw new IOException("cannot seed the catalog: " + e.getMessage(), e);
        }
    }

    static void admin(CompareOptions o, String sql) throws IOException {
        try (Connection c = DriverManager.getConnection(o.dbUrl(), o.dbUser(), o.dbPassword());
             Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IOException(sql + " on " + o.dbUrl() + ": " + e.getMessage(), e);
        }
    }

    private static void dropQuietly(CompareOptions o, String db) {
        try {
            admin(o, "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        } catch (IOException e) {
            System.err.println("compare: could not drop database " + db + ": " + e.getMessage());
        }
    }

    @Override
    long proxyPid() {
        return process.pid();
    }

    /** Stops the gateway (SIGTERM: it drains metering) and drops its database. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        int code = process.stop(Duration.ofSeconds(60));
        if (code != 0) {
            System.err.println("compare: " + name() + " exited with " + code + " (see " + process.log() + ")");
        }
        if (options.keepDatabase()) {
            System.err.println("compare: kept database " + database + " (--keep-db)");
        } else {
            dropQuietly(options, database);
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s at %s (database %s)", name(), url(), database);
    }
}
