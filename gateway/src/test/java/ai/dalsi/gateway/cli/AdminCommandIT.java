package ai.dalsi.gateway.cli;

import static ai.dalsi.persistence.schema.Tables.A_USERS;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.persistence.schema.tables.records.AUsersRecord;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/** {@code java -jar gateway.jar admin create ...} as an operator runs it, password piped on stdin. */
@ExtendWith(FreshDatabaseExtension.class)
class AdminCommandIT {

    private static final Path JAR = Path.of("target/gateway.jar");

    record Run(int exit, String out, String err) {
    }

    private final TestDatabase db;

    AdminCommandIT(TestDatabase db) {
        this.db = db;
    }

    private Map<String, String> env() {
        return Map.of("GATEWAY_DB_URL", db.jdbcUrl(), "GATEWAY_DB_USER", db.user(), "GATEWAY_DB_PASSWORD",
                db.password());
    }

    @Test
    void createsASuperAdminWithABcryptHashOfThePipedPassword() throws Exception {
        Run r = run(env(), "correct horse battery\n", "admin", "create", "--username", "ops-lead", "--role",
                "super_admin", "--email", "ops@example.com");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("created super_admin ops-lead");
        assertThat(r.out() + r.err()).doesNotContain("correct horse battery");
        AUsersRecord row = db.dsl().selectFrom(A_USERS).where(A_USERS.USERNAME.eq("ops-lead")).fetchOne();
        assertThat(row.getRole()).isEqualTo("super_admin");
        assertThat(row.getEmail()).isEqualTo("ops@example.com");
        assertThat(row.getIsActive()).isTrue();
        assertThat(row.getPasswordHash()).startsWith("$2").doesNotContain("correct horse");
        assertThat(new BCryptPasswordEncoder().matches("correct horse battery", row.getPasswordHash())).isTrue();
    }

    @Test
    void duplicateUsernameIsExitThree() throws Exception {
        assertThat(run(env(), "first-password-123\n", "admin", "create", "--username", "twice", "--role", "admin")
                .exit()).isZero();
        Run again = run(env(), "second-password-123\n", "admin", "create", "--username", "twice", "--role", "admin");
        assertThat(again.exit()).isEqualTo(3);
        assertThat(again.err().strip()).isEqualTo("admin create: username twice already exists");
        assertThat(db.dsl().fetchCount(A_USERS, A_USERS.USERNAME.eq("twice"))).isEqualTo(1);
    }

    @Test
    void badRoleShortOrEmptyPasswordAndBadArgumentsAreExitTwo() throws Exception {
        Run role = run(env(), "long-enough-password\n", "admin", "create", "--username", "x", "--role", "root");
        assertThat(role.exit()).isEqualTo(2);
        assertThat(role.err().lines().findFirst())
                .hasValue("admin create: role: \"root\" (expected: admin or super_admin)");
        assertThat(role.err()).contains("Usage: gateway admin create");

        Run shortPw = run(env(), "short\n", "admin", "create", "--username", "x", "--role", "admin");
        assertThat(shortPw.exit()).isEqualTo(2);
        assertThat(shortPw.err()).contains("password: too short (expected: at least 12 characters)")
                .doesNotContain("short\n");

        Run empty = run(env(), "", "admin", "create", "--username", "x", "--role", "admin");
        assertThat(empty.exit()).isEqualTo(2);
        assertThat(empty.err()).contains("password: empty");

        assertThat(run(env(), "", "admin", "create", "--role", "admin").exit()).isEqualTo(2);
        assertThat(run(env(), "", "admin", "remove", "--username", "x").exit()).isEqualTo(2);
        assertThat(run(env(), "", "admin", "create", "--username", "x", "--colour", "red").exit()).isEqualTo(2);
        assertThat(db.dsl().fetchCount(A_USERS, A_USERS.USERNAME.eq("x"))).isZero();
    }

    @Test
    void unreachableDatabaseIsExitOne() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        // A second of retrying instead of the default five: the refusal is the same, sooner.
        Run r = run(Map.of("GATEWAY_DB_URL", "jdbc:postgresql://127.0.0.1:" + closed + "/gw",
                "GATEWAY_DATABASE_CONNECTION_TIMEOUT", "1s"), "long-enough-password\n",
                "admin", "create", "--username", "x", "--role", "admin");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("127.0.0.1:" + closed).doesNotContain("long-enough-password");
    }

    private static Run run(Map<String, String> env, String stdin, String... args)
            throws IOException, InterruptedException {
        assertThat(JAR).as("packaged jar (mvn package runs before the integration tests)").exists();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("GATEWAY_"));
        pb.environment().putAll(env);
        Path out = Files.createTempFile("admin", ".out");
        Path err = Files.createTempFile("admin", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("admin create finishes").isTrue();
        Run r = new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        return r;
    }
}
