package ai.dalsi.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.persistence.codegen.JooqCodegen;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checked-in jOOQ classes are exactly what the generator makes from the migrations: nobody
 * edited them by hand, and nobody forgot to regenerate after adding a migration.
 */
@ExtendWith(FreshDatabaseExtension.class)
class GeneratedCodeIsCurrentIT {

    @Test
    void checkedInClassesMatchAFreshGeneration(TestDatabase db, @TempDir Path out) throws Exception {
        JooqCodegen.generate(db.jdbcUrl(), db.user(), db.password(), out);

        Map<String, String> fresh = read(out);
        Map<String, String> checkedIn = read(Path.of("src/main/jooq"));
        assertThat(fresh).isNotEmpty();
        assertThat(checkedIn.keySet())
                .as("regenerate with: ./mvnw -B -pl persistence -am -Pjooq-codegen -DskipTests process-test-classes")
                .isEqualTo(fresh.keySet());
        for (String file : fresh.keySet()) {
            assertThat(checkedIn.get(file)).as("%s differs from a fresh generation", file).isEqualTo(fresh.get(file));
        }
    }

    private static Map<String, String> read(Path root) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(p).toString(), Files.readString(p));
            }
        }
        return files;
    }
}
