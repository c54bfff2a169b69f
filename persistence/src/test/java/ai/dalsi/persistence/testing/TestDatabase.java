package ai.dalsi.persistence.testing;

import ai.dalsi.persistence.Database;
import ai.dalsi.persistence.DatabaseConfig;
import org.jooq.DSLContext;

/**
 * A fresh, migrated database that belongs to one test class, with an open {@link Database} on it.
 *
 * @param name     database name on the test server
 * @param jdbcUrl  its JDBC URL, for starting a gateway against it
 * @param user     user to connect as
 * @param password password to connect with
 * @param database the pool and jOOQ context the test may use
 */
public record TestDatabase(String name, String jdbcUrl, String user, String password, Database database) {

    public DSLContext dsl() {
        return database.dsl();
    }

    /** A config for a second pool on the same database (e.g. a gateway under test). */
    public DatabaseConfig config() {
        return DatabaseConfig.of(jdbcUrl, user, password);
    }
}
