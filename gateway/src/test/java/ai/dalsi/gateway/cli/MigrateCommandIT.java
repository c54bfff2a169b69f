package ai.dalsi.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import ai.dalsi.persistence.testing.TestServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code java -jar gateway.jar migrate}, run as users run it: a separate JVM from the packaged jar. */
@ExtendWith(FreshDatabaseExtension.class)
class MigrateCommandIT {

    private static final Path JAR = Path.of("target/gateway.jar");

    record Run(int exit, String out, String err) {
    }

    @Test
    void migratesAnEmptyDatabaseAndThenIsANoOp(TestDatabase existing) throws Exception {
        TestServer server = TestServer.fromEnvironment();
        String name = server.createDatabase("migratecli");
        try {
            Map<String, String> env = Map.of("GATEWAY_DB_URL", server.urlOf(name),
                    "GATEWAY_DB_USER", server.user(), "GATEWAY_DB_PASSWORD", server.password());
            Run first = run(env);
            assertThat(first.exit()).as(first.err()).isZero();
            assertThat(first.out()).contains("migration(s) applied").doesNotContain(" 0 migration(s)");
            Run second = run(env);
            assertThat(second.exit()).isZero();
            assertThat(second.out()).contains("(0 migration(s) applied)");
            assertThat(existing.dsl().fetchValue("select count(*) from pg_database where datname = ?", name))
                    .isEqualTo(1L);
        } finally {
            server.dropDatabase(name);
        }
    }

    @Test
    void unreachableServerIsOneLineWithMaskedPasswordAndExitOne() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Run r = run(Map.of("GATEWAY_DB_URL", "jdbc:postgresql://127.0.0.1:" + closed + "/gw?password=hunter2",
                "GATEWAY_DB_PASSWORD", "hunter2"));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("jdbc:postgresql://127.0.0.1:" + closed + "/gw?password=***")
                .contains("refused")
                .doesNotContain("hunter2")
                .doesNotContain("Exception");
    }

    @Test
    void wrongUrlSchemeIsNamed() throws Exception {
        Run r = run(Map.of("GATEWAY_DB_URL", "jdbc:mysql://127.0.0.1/gw"));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo(
                "migrate: database.url: jdbc:mysql://127.0.0.1/gw (expected: a jdbc:postgresql:// URL) [from GATEWAY_DB_URL]");
    }

    private static Run run(Map<String, String> env) throws IOException, InterruptedException {
        assertThat(JAR).as("packaged jar (mvn package runs before the integration tests)").exists();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(List.of(java.toString(), "-jar", JAR.toString(), "migrate"));
        pb.environment().keySet().removeIf(k -> k.startsWith("GATEWAY_"));
        pb.environment().putAll(env);
        Path out = Files.createTempFile("migrate", ".out");
        Path err = Files.createTempFile("migrate", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("migrate finishes").isTrue();
        Run r = new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        return r;
    }
}
