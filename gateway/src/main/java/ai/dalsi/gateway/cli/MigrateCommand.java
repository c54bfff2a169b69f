package ai.dalsi.gateway.cli;

import ai.dalsi.persistence.DatabaseConfig;
import ai.dalsi.persistence.DatabaseUnavailableException;
import ai.dalsi.persistence.JdbcUrls;
import ai.dalsi.persistence.Migrations;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.Callable;
import org.flywaydb.core.api.output.MigrateResult;
import picocli.CommandLine.Command;

/**
 * {@code migrate}: applies the migrations to the database named by {@code GATEWAY_DB_URL},
 * {@code GATEWAY_DB_USER} and {@code GATEWAY_DB_PASSWORD}. Exit 0 on success; on failure one line
 * naming the (masked) URL and the cause, and exit 1.
 */
@Command(name = "migrate", description = {"Apply the database migrations and exit.",
        "The database: GATEWAY_DB_URL (default " + DatabaseConfig.DEFAULT_URL + "), GATEWAY_DB_USER (default"
                + " postgres), GATEWAY_DB_PASSWORD."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:migrated (or already current)", "1:the database cannot be reached or migrated",
            "2:bad arguments"})
public final class MigrateCommand implements Callable<Integer> {

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    public MigrateCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        DatabaseConfig db;
        try {
            db = EnvDatabase.config(env);
        } catch (IllegalArgumentException e) {
            err.println("migrate: " + e.getMessage());
            return 1;
        }
        try {
            MigrateResult result = Migrations.migrate(db.jdbcUrl(), db.user(), db.password());
            out.println("migrate: " + JdbcUrls.masked(db.jdbcUrl()) + " is at version "
                    + (result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion)
                    + " (" + result.migrationsExecuted + " migration(s) applied)");
            return 0;
        } catch (RuntimeException e) {
            err.println("migrate: cannot migrate " + JdbcUrls.masked(db.jdbcUrl()) + ": "
                    + DatabaseUnavailableException.rootMessage(e));
            return 1;
        }
    }
}
