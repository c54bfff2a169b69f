package ai.dalsi.loadtest.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dalsi.loadtest.gen.RequestMix;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the gateway arm is skipped, and why: decided from the jar's own help, before anything starts. */
class GatewayArmPreflightTest {

    @TempDir
    Path dir;

    private CompareOptions options(String java, Path jar) {
        return new CompareOptions(dir, Duration.ofSeconds(1), 1, 0, 1, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1), Duration.ZERO, 1,
                RequestMix.DEFAULT, 1, 1, 0, 0, 0, Set.of("gateway"), false, java, List.of(), dir.resolve("loadtest.jar"),
                List.of(), jar, null, "jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "", false, false, "dalsi-ai",
                "dalsi-aivi", true, "test", null, null, null, null);
    }

    /** A stand-in for java that prints what {@code java -jar gateway.jar help} would. */
    private String fakeJava(String help) throws Exception {
        Path script = dir.resolve("java-" + help.hashCode());
        Files.writeString(script, "#!/bin/sh\ncat <<'EOF'\n" + help + "\nEOF\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script.toString();
    }

    @Test
    void aMissingJarSkipsTheArmSayingHowToBuildIt() {
        assertThatThrownBy(() -> GatewayArm.preflight(options("java", dir.resolve("nope.jar"))))
                .isInstanceOf(ArmUnavailable.class).hasMessageContaining("no gateway jar at")
                .hasMessageContaining("./mvnw -B -DskipTests package");
    }

    @Test
    void aJarWithoutServeSkipsTheArmListingWhatItHas() throws Exception {
        Path jar = Files.writeString(dir.resolve("gateway.jar"), "not really a jar");
        String java = fakeJava("usage: java -jar gateway.jar <command>\n  migrate    apply the database migrations");

        assertThatThrownBy(() -> GatewayArm.preflight(options(java, jar))).isInstanceOf(ArmUnavailable.class)
                .hasMessage("gateway.jar has no serve command yet (its help lists: [migrate])");
    }

    @Test
    void aJarWithServePasses() throws Exception {
        Path jar = Files.writeString(dir.resolve("gateway.jar"), "not really a jar");
        String java = fakeJava("usage: java -jar gateway.jar <command>\n  migrate    apply\n  serve      run the gateway");

        assertThatCode(() -> GatewayArm.preflight(options(java, jar))).doesNotThrowAnyException();
    }

    @Test
    void theFreshDatabaseLivesOnTheSameServerWithTheSameParameters() {
        assertThat(GatewayArm.databaseUrl("jdbc:postgresql://127.0.0.1:5432/postgres?sslmode=disable", "loadtest_x"))
                .isEqualTo("jdbc:postgresql://127.0.0.1:5432/loadtest_x?sslmode=disable");
        assertThat(GatewayArm.databaseUrl("jdbc:postgresql://db.local/portal", "loadtest_y"))
                .isEqualTo("jdbc:postgresql://db.local/loadtest_y");
    }
}
