package ai.dalsi.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LoadtestMainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return LoadtestMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void noCommandPrintsUsage() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage: java -jar loadtest.jar").contains("backend");
    }

    @Test
    void unknownCommandIsNamed() {
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown command: frobnicate");
    }

    @Test
    void backendHelpListsItsOptions() {
        assertThat(run("backend", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("--port", "--latency-ms", "--ttft-ms", "--tokens-per-second", "--completion-tokens",
                        "--error-rate", "--threads", "x-sim-status");
    }

    @Test
    void backendRefusesABadOptionNamingIt() {
        assertThat(run("backend", "--error-rate", "2")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("simulator.errorRate: 2.0 (expected: 0..1)");

        err.reset();
        assertThat(run("backend", "--tokens-per-second", "fast")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--tokens-per-second: fast (expected: a number)");

        err.reset();
        assertThat(run("backend", "--colour", "blue")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option: --colour");
    }
}
