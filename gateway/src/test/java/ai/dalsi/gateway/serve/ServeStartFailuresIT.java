package ai.dalsi.gateway.serve;

import static ai.dalsi.persistence.schema.Tables.API_KEYS;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.testing.GatewayProcess;
import ai.dalsi.gateway.testing.NodeEnvironment;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar gateway.jar serve} refuses to start, with one line naming the problem and exit
 * code 1 (never a stack trace), when a setting is unknown or invalid, the database does not answer,
 * or a port is taken.
 */
@ExtendWith(FreshDatabaseExtension.class)
class ServeStartFailuresIT {

    /** A bound on the wait, not a speed: a JVM that starts, migrates and fails takes seconds, more on a busy machine. */
    private static final Duration EXIT = Duration.ofSeconds(90);

    @TempDir
    Path work;

    private final TestDatabase db;

    ServeStartFailuresIT(TestDatabase db) {
        this.db = db;
    }

    /**
     * Both ports 0: the system hands each a port no other socket holds at that moment. A port picked
     * beforehand could be taken by then (an outgoing connection's local port, another test), which
     * would make a test about the other port fail on the wrong one.
     */
    private NodeEnvironment env() {
        return NodeEnvironment.of(db, URI.create("http://127.0.0.1:9"), work.resolve("journal"))
                .with("GATEWAY_HTTP_PORT", "0")
                .with("GATEWAY_ADMIN_PORT", "0");
    }

    /** Runs serve to its end; returns stderr's lines without the JVM's own warnings. */
    private List<String> refused(Map<String, String> variables, String... args) {
        String[] full = new String[args.length + 1];
        full[0] = "serve";
        System.arraycopy(args, 0, full, 1, args.length);
        return refusedCommand(variables, full);
    }

    private List<String> refusedCommand(Map<String, String> variables, String... args) {
        try (GatewayProcess serve = GatewayProcess.start(work, variables, args)) {
            assertThat(serve.awaitExit(EXIT)).as(serve.output()).isEqualTo(1);
            List<String> errors = serve.stderr().stream().filter(l -> !l.startsWith("WARNING:")).toList();
            assertThat(errors).as("no stack trace").noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception"));
            assertThat(serve.stdout()).as("nothing on stdout, no key printed").isEmpty();
            return errors;
        }
    }

    @Test
    void unknownSettingInTheFileIsNamed() throws IOException {
        Path file = Files.writeString(work.resolve("gateway.yaml"), "edge:\n  prot: 8080\nproxy:\n  backendUrl: http://x:1\n");
        assertThat(refused(env().variables(), "--config", file.toString()))
                .containsExactly("serve: unknown setting: edge.prot (did you mean edge.port?)");
    }

    @Test
    void invalidValuesFromTheEnvironmentAreNamedWithTheirVariable() {
        assertThat(refused(env().with("GATEWAY_HTTP_PORT", "80800").variables()))
                .containsExactly("serve: edge.port: 80800 (expected: 0..65535) [from GATEWAY_HTTP_PORT]");
        assertThat(refused(env().with("GATEWAY_BACKEND_URL", "ftp://models.example.com").variables()))
                .containsExactly("serve: proxy.backendUrl: ftp://models.example.com"
                        + " (expected: http(s)://host[:port][/prefix]) [from GATEWAY_BACKEND_URL]");
    }

    @Test
    void misspeltEnvironmentVariableIsNamedWithASuggestion() {
        assertThat(refused(env().with("GATEWAY_EDGE_PROT", "1").variables()))
                .containsExactly("serve: unknown environment variable: GATEWAY_EDGE_PROT (did you mean GATEWAY_EDGE_PORT?)");
    }

    @Test
    void unknownNamesAndBadValuesAreReportedTogether() throws IOException {
        Path file = Files.writeString(work.resolve("gateway.yaml"),
                "edge:\n  prot: 8080\n  maxBodyBytes: -1\nmetering:\n  batchSize: 0\n");
        assertThat(refused(env().variables(), "--config", file.toString())).containsExactlyInAnyOrder(
                "serve: unknown setting: edge.prot (did you mean edge.port?)",
                "serve: metering.batchSize: 0 (expected: > 0)",
                "serve: edge.maxBodyBytes: -1 (expected: >= 1024)");
    }

    @Test
    void unreachableDatabaseIsOneLine() {
        int closed = GatewayProcess.freePort();
        // A second of retrying instead of the default five: the refusal is the same, sooner.
        assertThat(refused(env().with("GATEWAY_DB_URL", "jdbc:postgresql://127.0.0.1:" + closed + "/gw")
                .with("GATEWAY_DB_PASSWORD", "do-not-print-me")
                .with("GATEWAY_DATABASE_CONNECTION_TIMEOUT", "1s").variables()))
                .singleElement().asString()
                .startsWith("serve: cannot connect to jdbc:postgresql://127.0.0.1:" + closed + "/gw")
                .doesNotContain("do-not-print-me");
    }

    @Test
    void takenPublicPortNamesThePortAndTheVariable() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0));
            int port = taken.getLocalPort();
            List<String> lines = refused(env().with("GATEWAY_HTTP_PORT", Integer.toString(port)).variables());
            assertThat(lines).as("exactly one line: the parts' start-up progress is held back").singleElement()
                    .asString().startsWith("serve: edge.port: cannot listen on 0.0.0.0:" + port)
                    .contains("Address already in use").endsWith("set GATEWAY_HTTP_PORT to a free port");
        }
    }

    @Test
    void demoOnATakenAdminPortNamesThePortAndTheVariable() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            int port = taken.getLocalPort();
            List<String> lines = refusedCommand(env().with("GATEWAY_ADMIN_PORT", Integer.toString(port))
                    .with("GATEWAY_ADMIN_TOKEN", null).variables(), "demo");
            assertThat(lines).as("exactly one line: the parts' start-up progress is held back").singleElement()
                    .asString().startsWith("demo: admin.port: cannot listen on 127.0.0.1:" + port)
                    .endsWith("set GATEWAY_ADMIN_PORT to a free port");
            assertThat(db.dsl().fetchCount(API_KEYS)).as("a demo that did not start leaves no key").isZero();
        }
    }

    @Test
    void demoWithALockedJournalLeavesNoKey() throws IOException {
        Path journal = work.resolve("journal");
        try (GatewayProcess first = GatewayProcess.start(work, env().with("GATEWAY_ADMIN_TOKEN", null).variables(),
                "demo")) {
            first.awaitStdoutLine("Ctrl-C stops the demo.", EXIT);
            assertThat(db.dsl().fetchCount(API_KEYS)).isEqualTo(1);
            List<String> lines = refusedCommand(env().with("GATEWAY_ADMIN_TOKEN", null)
                    .with("GATEWAY_METERING_JOURNAL_DIRECTORY", journal.toString()).variables(), "demo");
            assertThat(lines).singleElement().asString().startsWith("demo: metering.journalDirectory: cannot use "
                    + journal);
            assertThat(db.dsl().fetchCount(API_KEYS)).as("only the running demo's key").isEqualTo(1);
            first.terminate();
            assertThat(first.awaitExit(EXIT)).isZero();
        }
    }

    @Test
    void unusableJournalDirectoryIsNamed() throws IOException {
        Path file = Files.writeString(work.resolve("not-a-directory"), "x");
        List<String> lines = refused(env().with("GATEWAY_METERING_JOURNAL_DIRECTORY", file.toString()).variables());
        assertThat(lines.get(lines.size() - 1)).startsWith("serve: metering.journalDirectory: cannot use " + file);
    }
}
