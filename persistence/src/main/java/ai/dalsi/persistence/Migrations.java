package ai.dalsi.persistence;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Applies the Flyway SQL migrations in {@code db/migration} (the one source of truth for the
 * schema). Applying them to an up-to-date database is a no-op.
 */
public final class Migrations {

    private Migrations() {
    }

    /** Migrates the database behind the data source; returns how many migrations were applied. */
    public static int migrate(DataSource dataSource) {
        return flyway(dataSource).migrate().migrationsExecuted;
    }

    /** Migrates the database at the URL with a connection of its own. */
    public static MigrateResult migrate(String jdbcUrl, String user, String password) {
        return Flyway.configure()
                .dataSource(jdbcUrl, user, password)
                .locations("classpath:db/migration")
                .connectRetries(0)
                .load()
                .migrate();
    }

    private static Flyway flyway(DataSource dataSource) {
        return Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load();
    }
}
