package ai.dalsi.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The curl commands of the README's admin section, run as written with the real curl (only the
 * port, and the id the first one printed, filled in), against a real admin port: they must keep
 * working through the cross-site and content-type rules.
 */
@ExtendWith(FreshDatabaseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReadmeAdminExamplesIT {

    private static final String PASSWORD = "readme-password-42";

    private final AdminFixture f;

    ReadmeAdminExamplesIT(TestDatabase db) {
        // The scopes a key may hold are those the catalog's products require.
        new ai.dalsi.gateway.testing.EdgeSeed(db.dsl()).standardCatalog();
        f = new AdminFixture(db);
        new AdminAccounts(db.dsl(), Clock.systemUTC()).create("ops", Role.SUPER_ADMIN, PASSWORD, null, null);
    }

    @AfterAll
    void close() {
        f.close();
    }

    /** The README's shell commands under "## Admin API" that start with curl, continuation lines joined. */
    static List<String> curlExamples() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        String section = readme.substring(readme.indexOf("## Admin API"));
        section = section.substring(0, section.indexOf("\n## ", 1));
        List<String> commands = new ArrayList<>();
        StringBuilder current = null;
        for (String line : section.lines().toList()) {
            String t = line.strip();
            if (current == null && line.startsWith("    curl ")) {
                current = new StringBuilder();
            }
            if (current != null) {
                boolean continued = t.endsWith("\\");
                current.append(continued ? t.substring(0, t.length() - 1) : t).append(' ');
                if (!continued) {
                    commands.add(current.toString().strip());
                    current = null;
                }
            }
        }
        return commands;
    }

    @Test
    void theReadmesCurlExamplesWorkVerbatim() throws Exception {
        List<String> examples = curlExamples();
        assertThat(examples).as("the README shows admin curl examples").hasSizeGreaterThanOrEqualTo(2);
        String lastId = null;
        for (String example : examples) {
            String command = example.replace("localhost:8081", "127.0.0.1:" + f.server.port());
            if (lastId != null) {
                command = command.replace("<id>", lastId);
            }
            assertThat(command).as("a placeholder the test cannot fill: " + example).doesNotContain("<");
            // Only what curl prints changes: the status on a line of its own after the body.
            command = command.replaceFirst("^curl ", "curl -sS -w '\\\\n%{http_code}' ");
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true);
            pb.environment().put("ADMIN_PASSWORD", PASSWORD);
            pb.environment().put("GATEWAY_ADMIN_TOKEN", AdminFixture.TOKEN);
            Process p = pb.start();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            String status = out.substring(out.lastIndexOf('\n') + 1);
            assertThat(status).as(example + "\n" + out).startsWith("2");
            JsonNode body = AdminHttp.JSON.readTree(out.substring(0, out.lastIndexOf('\n')));
            if (body.has("id")) {
                lastId = body.get("id").asText();
            }
        }
    }
}
