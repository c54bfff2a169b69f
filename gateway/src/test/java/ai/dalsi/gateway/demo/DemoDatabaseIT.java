package ai.dalsi.gateway.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dalsi.persistence.DatabaseConfig;
import ai.dalsi.persistence.JdbcUrls;
import ai.dalsi.persistence.testing.TestServer;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the demo keeps its data: the URL it was given; else its own database on a server that
 * answers; else a real embedded PostgreSQL whose data survives a restart (run as root here, as on CI,
 * where PostgreSQL's own binaries refuse uid 0).
 */
class DemoDatabaseIT {

    private static final TestServer SERVER = TestServer.fromEnvironment();

    @TempDir
    Path work;

    @Test
    void aGivenUrlIsUsedAsItIs() {
        DatabaseConfig given = DatabaseConfig.of("jdbc:postgresql://db.internal:5433/gw", "gw", "secret");
        try (DemoDatabase d = DemoDatabase.choose(given, true, dir -> {
            throw new AssertionError("no embedded server for a given URL");
        })) {
            assertThat(d.config()).isEqualTo(given);
            assertThat(d.embedded()).isNull();
            assertThat(d.journal()).isEqualTo(Path.of("journal", "demo-db.internal_5433_gw"));
        }
    }

    @Test
    void aServerThatAnswersGetsTheDemosOwnDatabaseCreatedOnce() throws Exception {
        URI server = URI.create(SERVER.urlOf("postgres").substring("jdbc:".length()));
        String name = "demo_db_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        DemoDatabase.Places places = new DemoDatabase.Places(server.getHost(), server.getPort(), name,
                work.resolve("unused"));
        DatabaseConfig defaults = DatabaseConfig.of(DatabaseConfig.DEFAULT_URL, SERVER.user(), SERVER.password());
        try {
            for (int run = 0; run < 2; run++) {
                try (DemoDatabase d = DemoDatabase.choose(defaults, false, dir -> {
                    throw new AssertionError("a server answers: no embedded one");
                }, places)) {
                    assertThat(d.config().jdbcUrl()).isEqualTo("jdbc:postgresql://" + server.getHost() + ":"
                            + server.getPort() + "/" + name);
                    assertThat(d.description()).contains("/" + name + " (the local PostgreSQL; the demo's own database)");
                    assertThat(d.embedded()).isNull();
                    try (Connection c = DriverManager.getConnection(d.config().jdbcUrl(), SERVER.user(), SERVER.password())) {
                        assertThat(c.isValid(5)).isTrue();
                    }
                }
            }
            assertThat(Files.exists(work.resolve("unused"))).isFalse();
        } finally {
            SERVER.dropDatabase(name);
        }
    }

    @Test
    void withNoServerAnEmbeddedPostgresKeepsItsDataAcrossRestarts() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Path dir = work.resolve("demo-postgres");
        DemoDatabase.Places places = new DemoDatabase.Places("127.0.0.1", closed, "dalsi_demo", dir);
        DatabaseConfig defaults = DatabaseConfig.of(DatabaseConfig.DEFAULT_URL, "postgres", "");
        List<Path> announced = new ArrayList<>();
        try (DemoDatabase first = DemoDatabase.choose(defaults, false, announced::add, places)) {
            assertThat(announced).containsExactly(dir.toAbsolutePath());
            assertThat(first.description()).startsWith("embedded PostgreSQL 14.").contains(dir.toAbsolutePath().toString());
            assertThat(first.journal()).isEqualTo(dir.toAbsolutePath().resolve("journal"));
            assertThat(JdbcUrls.hostAndPort(first.config().jdbcUrl())).startsWith("127.0.0.1:");
            sql(first, "create table kept (n int); insert into kept values (42)");
        }
        assertThat(Files.exists(dir.resolve("data/postmaster.pid"))).as("the server stopped with the demo").isFalse();
        try (DemoDatabase second = DemoDatabase.choose(defaults, false, announced::add, places)) {
            try (Connection c = DriverManager.getConnection(second.config().jdbcUrl(), "postgres", "");
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("select n from kept")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).as("the first run's row, after a restart").isEqualTo(42);
            }
        }
    }

    @Test
    void aServerLeftRunningByAKilledDemoIsStoppedAndTheDataKept() throws Exception {
        Path dir = work.resolve("left-running");
        EmbeddedPostgres leftOver = EmbeddedPostgres.start(dir);
        // No close(): as if the JVM had been killed. The next start stops it and starts its own.
        try (EmbeddedPostgres next = EmbeddedPostgres.start(dir)) {
            assertThat(next.port()).isNotEqualTo(leftOver.port());
            try (Connection c = DriverManager.getConnection(next.jdbcUrl("postgres"), "postgres", "")) {
                assertThat(c.isValid(5)).isTrue();
            }
            assertThatThrownBy(() -> DriverManager.getConnection(leftOver.jdbcUrl("postgres"), "postgres", ""))
                    .as("the left-over server is gone").isInstanceOf(java.sql.SQLException.class);
        }
    }

    private static void sql(DemoDatabase d, String statements) throws Exception {
        try (Connection c = DriverManager.getConnection(d.config().jdbcUrl(), d.config().user(), d.config().password());
                Statement st = c.createStatement()) {
            st.execute(statements);
        }
    }
}
