package ai.dalsi.persistence;

import java.time.Duration;
import java.util.Objects;

/**
 * How to reach PostgreSQL and how large a pool to keep. Validated on construction: a bad value
 * fails with a message naming the setting and what was expected.
 *
 * @param jdbcUrl           JDBC URL of the database, e.g. {@code jdbc:postgresql://127.0.0.1:5432/gateway}
 * @param user              database user
 * @param password          database password; never printed (see {@link #toString()})
 * @param maxPoolSize       largest number of pooled connections
 * @param connectionTimeout how long a caller waits for a pooled connection
 * @param migrateOnStart    whether {@link Database} applies the migrations when it opens
 */
public record DatabaseConfig(
        String jdbcUrl,
        String user,
        String password,
        int maxPoolSize,
        Duration connectionTimeout,
        boolean migrateOnStart) {

    /** The local development server, as the README describes it. */
    public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";

    public DatabaseConfig {
        Objects.requireNonNull(jdbcUrl, "database.url: missing (expected: a jdbc:postgresql:// URL)");
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("database.url: " + JdbcUrls.masked(jdbcUrl)
                    + " (expected: a jdbc:postgresql:// URL)");
        }
        if (user == null || user.isBlank()) {
            throw new IllegalArgumentException("database.user: missing (expected: a database user name)");
        }
        password = password == null ? "" : password;
        if (maxPoolSize < 1 || maxPoolSize > 1000) {
            throw new IllegalArgumentException("database.maxPoolSize: " + maxPoolSize + " (expected: 1..1000)");
        }
        Objects.requireNonNull(connectionTimeout, "database.connectionTimeout: missing");
        if (connectionTimeout.toMillis() < 250) {
            throw new IllegalArgumentException("database.connectionTimeout: " + connectionTimeout
                    + " (expected: >= 250ms)");
        }
    }

    /** A pool of ten connections with a five second wait, migrating on start. */
    public static DatabaseConfig of(String jdbcUrl, String user, String password) {
        return new DatabaseConfig(jdbcUrl, user, password, 10, Duration.ofSeconds(5), true);
    }

    /** The same settings with {@link #migrateOnStart} changed. */
    public DatabaseConfig withMigrateOnStart(boolean migrate) {
        return new DatabaseConfig(jdbcUrl, user, password, maxPoolSize, connectionTimeout, migrate);
    }

    /** The same settings with another pool size. */
    public DatabaseConfig withMaxPoolSize(int size) {
        return new DatabaseConfig(jdbcUrl, user, password, size, connectionTimeout, migrateOnStart);
    }

    /** The same settings for another database (or server). */
    public DatabaseConfig withJdbcUrl(String url) {
        return new DatabaseConfig(url, user, password, maxPoolSize, connectionTimeout, migrateOnStart);
    }

    /** The same settings with another user and password (the embedded demo server's superuser). */
    public DatabaseConfig withCredentials(String newUser, String newPassword) {
        return new DatabaseConfig(jdbcUrl, newUser, newPassword, maxPoolSize, connectionTimeout, migrateOnStart);
    }

    /** Safe to log: the password and any password in the URL are masked. */
    @Override
    public String toString() {
        return "DatabaseConfig[url=" + JdbcUrls.masked(jdbcUrl) + ", user=" + user
                + ", maxPoolSize=" + maxPoolSize + ", connectionTimeout=" + connectionTimeout
                + ", migrateOnStart=" + migrateOnStart + "]";
    }
}
