package ai.dalsi.gateway.demo;

import ai.dalsi.persistence.DatabaseConfig;
import ai.dalsi.persistence.DatabaseUnavailableException;
import ai.dalsi.persistence.JdbcUrls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Consumer;

/**
 * Which database the demo uses, decided once at its start:
 * <ol>
 *   <li>the one named by {@code GATEWAY_DB_URL} (or {@code database.url}), as given;</li>
 *   <li>else, when a PostgreSQL answers on 127.0.0.1:5432, its database {@value #NAME}, created if
 *       missing (not the server's {@code postgres} database: the demo's 15 tables stay apart);</li>
 *   <li>else an {@link EmbeddedPostgres} with its data in {@code demo-postgres/} under the working
 *       directory, kept between runs, and the same database {@value #NAME} in it.</li>
 * </ol>
 * {@code serve} never does this: a production node names its database.
 *
 * @param config      the database settings to use
 * @param description one line saying which database this is and why
 * @param journal     the demo's usage journal for this database (one per database, so a journal is
 *                    never replayed into another one)
 * @param embedded    the embedded server to stop at the end, or null
 */
public record DemoDatabase(DatabaseConfig config, String description, Path journal, EmbeddedPostgres embedded)
        implements AutoCloseable {

    /** The demo's own database on a local server or in the embedded one. */
    public static final String NAME = "dalsi_demo";
    /** Where the embedded server keeps its binaries and data, under the working directory. */
    public static final Path EMBEDDED_DIRECTORY = Path.of("demo-postgres");

    private static final String LOCAL_HOST = "127.0.0.1";
    private static final int LOCAL_PORT = 5432;

    /**
     * @param configured the database settings from the environment (the default when nothing was set)
     * @param urlGiven   whether the URL was set, so the demo must use it as it is
     * @param embedding  told the directory before an embedded server starts (which takes a few seconds)
     * @throws IllegalStateException with one line naming what failed
     */
    public static DemoDatabase choose(DatabaseConfig configured, boolean urlGiven, Consumer<Path> embedding) {
        return choose(configured, urlGiven, embedding, new Places(LOCAL_HOST, LOCAL_PORT, NAME, EMBEDDED_DIRECTORY));
    }

    /**
     * Where to look and to put things: the local server, the demo's database name and the embedded
     * server's directory (tests use their own).
     */
    record Places(String host, int port, String database, Path embeddedDirectory) {
    }

    static DemoDatabase choose(DatabaseConfig configured, boolean urlGiven, Consumer<Path> embedding, Places places) {
        if (urlGiven) {
            return new DemoDatabase(configured, JdbcUrls.masked(configured.jdbcUrl()) + " (GATEWAY_DB_URL)",
                    journalFor(configured.jdbcUrl()), null);
        }
        if (answers(places.host(), places.port())) {
            String server = "jdbc:postgresql://" + places.host() + ":" + places.port() + "/";
            createIfMissing(server + "postgres", configured.user(), configured.password(), places.database());
            DatabaseConfig config = configured.withJdbcUrl(server + places.database());
            return new DemoDatabase(config, JdbcUrls.masked(config.jdbcUrl()) + " (the local PostgreSQL;"
                    + " the demo's own database)", journalFor(config.jdbcUrl()), null);
        }
        embedding.accept(places.embeddedDirectory().toAbsolutePath());
        EmbeddedPostgres pg = EmbeddedPostgres.start(places.embeddedDirectory());
        try {
            createIfMissing(pg.jdbcUrl("postgres"), pg.user(), "", places.database());
        } catch (RuntimeException e) {
            pg.close();
            throw e;
        }
        DatabaseConfig config = configured.withJdbcUrl(pg.jdbcUrl(places.database())).withCredentials(pg.user(), "");
        return new DemoDatabase(config, "embedded PostgreSQL " + pg.version() + " in " + pg.directory()
                + " (" + JdbcUrls.masked(config.jdbcUrl()) + ")", pg.directory().resolve("journal"), pg);
    }

    /** Whether something accepts TCP connections there (within a second). */
    static boolean answers(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code CREATE DATABASE} on the server of {@code maintenanceUrl} unless it exists. */
    private static void createIfMissing(String maintenanceUrl, String user, String password, String name) {
        try (Connection c = DriverManager.getConnection(maintenanceUrl, user, password);
                PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, name);
            try (ResultSet rs = exists.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
            try (Statement create = c.createStatement()) {
                create.execute("CREATE DATABASE \"" + name.replace("\"", "\"\"") + "\"");
            }
        } catch (SQLException e) {
            if ("42P04".equals(e.getSQLState())) {
                return; // another demo created it a moment ago
            }
            throw new IllegalStateException("cannot create the database " + name + " on "
                    + JdbcUrls.masked(maintenanceUrl) + ": " + DatabaseUnavailableException.rootMessage(e)
                    + " (set GATEWAY_DB_URL, GATEWAY_DB_USER, GATEWAY_DB_PASSWORD)", e);
        }
    }

    /**
     * The demo's journal for a server database: {@code journal/demo-<host>_<port>_<database>} under the
     * working directory, so that events a killed demo left behind are replayed into the database they
     * belong to, whichever database the next run uses.
     */
    static Path journalFor(String jdbcUrl) {
        String rest = jdbcUrl.replaceFirst("^jdbc:postgresql://", "");
        int slash = rest.indexOf('/');
        String database = slash < 0 ? "postgres" : rest.substring(slash + 1).replaceFirst("[?;].*$", "");
        String name = (JdbcUrls.hostAndPort(jdbcUrl) + "_" + database).replaceAll("[^A-Za-z0-9._-]", "_");
        return Path.of("journal", "demo-" + name);
    }

    /** Stops the embedded server, if there is one. */
    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        }
    }
}
