package ai.dalsi.persistence;

import ai.dalsi.persistence.jooq.Jooq;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.jooq.DSLContext;

/**
 * The connection pool (HikariCP) and the jOOQ {@link DSLContext} over it. One per process, built
 * by the composition root and closed on shutdown. Applies the migrations when it opens unless the
 * config says not to.
 */
public final class Database implements AutoCloseable {

    private final DatabaseConfig config;
    private final HikariDataSource dataSource;
    private final DSLContext dsl;

    private Database(DatabaseConfig config, HikariDataSource dataSource) {
        this.config = config;
        this.dataSource = dataSource;
        this.dsl = Jooq.dsl(dataSource);
    }

    /**
     * Opens the pool (failing fast when the server does not answer) and migrates if configured.
     *
     * @throws DatabaseUnavailableException when no connection can be made; its message names the
     *         masked URL and the cause, and is fit for a one-line error
     */
    public static Database open(DatabaseConfig config) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("gateway-db");
        hikari.setJdbcUrl(config.jdbcUrl());
        hikari.setUsername(config.user());
        hikari.setPassword(config.password());
        hikari.setMaximumPoolSize(config.maxPoolSize());
        hikari.setMinimumIdle(Math.min(2, config.maxPoolSize()));
        hikari.setConnectionTimeout(config.connectionTimeout().toMillis());
        hikari.setInitializationFailTimeout(config.connectionTimeout().toMillis());
        hikari.addDataSourceProperty("ApplicationName", "dalsi-gateway");
        // Multi-row inserts and batches are the writer's hot path.
        hikari.addDataSourceProperty("reWriteBatchedInserts", "true");
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            throw DatabaseUnavailableException.of(config.jdbcUrl(), e);
        }
        Database db = new Database(config, ds);
        if (config.migrateOnStart()) {
            try {
                Migrations.migrate(ds);
            } catch (RuntimeException e) {
                db.close();
                throw e;
            }
        }
        return db;
    }

    /** The jOOQ context: all SQL of the project goes through it. */
    public DSLContext dsl() {
        return dsl;
    }

    /** The pooled data source, for binders (metrics) and LISTEN connections. */
    public DataSource dataSource() {
        return dataSource;
    }

    /** The HikariCP pool itself, for metrics binders. */
    public HikariDataSource pool() {
        return dataSource;
    }

    public DatabaseConfig config() {
        return config;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
