package ai.dalsi.persistence.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * The PostgreSQL server tests run against: {@code GATEWAY_TEST_DB_URL} (default
 * {@code jdbc:postgresql://127.0.0.1:5432/postgres}), {@code GATEWAY_TEST_DB_USER} (default
 * {@code postgres}), {@code GATEWAY_TEST_DB_PASSWORD} (default empty). Creates and drops scratch
 * databases on it. A server that does not answer fails the test with one message saying how to
 * start one; tests never skip.
 */
public final class TestServer {

    public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";

    private final String adminUrl;
    private final String user;
    private final String password;

    private TestServer(String adminUrl, String user, String password) {
        this.adminUrl = adminUrl;
        this.user = user;
        this.password = password;
    }

    /** The server named by the environment. */
    public static TestServer fromEnvironment() {
        return new TestServer(
                env("GATEWAY_TEST_DB_URL", DEFAULT_URL),
                env("GATEWAY_TEST_DB_USER", "postgres"),
                env("GATEWAY_TEST_DB_PASSWORD", ""));
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** Creates an empty database with a unique name derived from the hint; returns its name. */
    public String createDatabase(String hint) {
        String clean = hint.replaceAll("[^A-Za-z0-9]", "").toLowerCase(Locale.ROOT);
        if (clean.length() > 30) {
            clean = clean.substring(0, 30);
        }
        String name = "gwtest_" + clean + "_" + UUID.randomUUID().toString().substring(0, 8);
        execute("CREATE DATABASE " + name);
        return name;
    }

    /** Drops the database, ending any sessions still connected to it. */
    public void dropDatabase(String name) {
        execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    /** The JDBC URL of a database on this server. */
    public String urlOf(String database) {
        int q = adminUrl.indexOf('?');
        String base = q < 0 ? adminUrl : adminUrl.substring(0, q);
        String params = q < 0 ? "" : adminUrl.substring(q);
        int slash = base.indexOf('/', "jdbc:postgresql://".length());
        String hostPart = slash < 0 ? base : base.substring(0, slash);
        return hostPart + "/" + database + params;
    }

    private void execute(String sql) {
        try (Connection c = DriverManager.getConnection(adminUrl, user, password);
             Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            if ("08001".equals(e.getSQLState()) || "08004".equals(e.getSQLState())
                    || e.getCause() instanceof java.net.ConnectException) {
                throw new IllegalStateException("PostgreSQL does not answer at " + adminUrl + " as user "
                        + user + " (" + e.getMessage() + "). The tests need a real server: start the local one"
                        + " (pg_ctlcluster <version> main start, or run .ci/run, which starts or installs it),"
                        + " or point GATEWAY_TEST_DB_URL / GATEWAY_TEST_DB_USER / GATEWAY_TEST_DB_PASSWORD"
                        + " at one.", e);
            }
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }
}
