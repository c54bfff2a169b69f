package ai.dalsi.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dalsi.persistence.testing.TestServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.exception.IntegrityConstraintViolationException;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

/**
 * V6 makes email addresses unique ignoring case. A database that already holds case duplicates
 * still migrates: the users stay as they are (the oldest of each group holds the address, the
 * others are named as exceptions), and no new duplicate can be added.
 */
class EmailCaseMigrationIT {

    private final TestServer server = TestServer.fromEnvironment();

    private Flyway flyway(String url, String target) {
        var config = Flyway.configure().dataSource(url, server.user(), server.password())
                .locations("classpath:db/migration");
        return (target == null ? config : config.target(target)).load();
    }

    @Test
    void aDatabaseWithCaseDuplicatesMigratesKeepsThemAndRefusesNewOnes() throws Exception {
        String name = server.createDatabase("v6dups");
        String url = server.urlOf(name);
        try {
            flyway(url, "5").migrate();
            try (Connection c = DriverManager.getConnection(url, server.user(), server.password())) {
                DSLContext dsl = DSL.using(c, SQLDialect.POSTGRES);
                for (String[] u : List.of(new String[] {"CaseDup@Example.com", "2020-01-01"},
                        new String[] {"casedup@example.com", "2021-01-01"},
                        new String[] {"CASEDUP@EXAMPLE.COM", "2022-01-01"},
                        new String[] {"solo@example.com", "2020-06-01"})) {
                    dsl.execute("insert into users (email, created_at) values (?, ?::timestamptz)", u[0], u[1]);
                }

                assertThat(flyway(url, null).migrate().migrationsExecuted).isGreaterThanOrEqualTo(1);

                assertThat(dsl.fetchOne("select count(*) from users").get(0, Long.class)).as("nobody merged or dropped")
                        .isEqualTo(4L);
                assertThat(dsl.fetchOne("select indexdef from pg_indexes where indexname = 'users_email_lower_key'")
                        .get(0, String.class)).contains("lower(email)").contains("WHERE");
                for (String again : List.of("casedup@EXAMPLE.com", "Solo@Example.com")) {
                    assertThatThrownBy(() -> dsl.execute("insert into users (email) values (?)", again))
                            .as(again).isInstanceOf(IntegrityConstraintViolationException.class)
                            .hasMessageContaining("users_email_lower_key");
                }
                dsl.execute("insert into users (email) values ('fresh@example.com')");
            }
        } finally {
            server.dropDatabase(name);
        }
    }

    @Test
    void aFreshDatabaseGetsThePlainIndex() throws Exception {
        String name = server.createDatabase("v6fresh");
        String url = server.urlOf(name);
        try {
            flyway(url, null).migrate();
            try (Connection c = DriverManager.getConnection(url, server.user(), server.password())) {
                DSLContext dsl = DSL.using(c, SQLDialect.POSTGRES);
                assertThat(dsl.fetchOne("select indexdef from pg_indexes where indexname = 'users_email_lower_key'")
                        .get(0, String.class)).isEqualTo("CREATE UNIQUE INDEX users_email_lower_key ON public.users USING btree"
                        + " (lower(email))");
                dsl.execute("insert into users (email) values ('Ada@Example.com')");
                assertThatThrownBy(() -> dsl.execute("insert into users (email) values ('ada@example.com')"))
                        .isInstanceOf(IntegrityConstraintViolationException.class);
            }
        } finally {
            server.dropDatabase(name);
        }
    }
}
