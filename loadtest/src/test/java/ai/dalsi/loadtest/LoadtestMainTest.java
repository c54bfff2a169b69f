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

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void noCommandIsABadArgumentWithTheUsage() {
        assertThat(run()).isEqualTo(2);
        assertThat(err()).startsWith("loadtest: Missing required subcommand").contains("Usage: loadtest", "backend",
                "run", "compare");
    }

    @Test
    void unknownCommandIsNamed() {
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(err()).startsWith("loadtest: Unmatched argument at index 0: 'frobnicate'");
    }

    @Test
    void versionNamesTheJarAndTheJava() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("loadtest ").contains("Java " + Runtime.version());
    }

    @Test
    void backendHelpListsItsOptionsWithTheirRealDefaults() {
        assertThat(run("backend", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8).replaceAll("\\s+", " "))
                .contains("--port", "--latency-ms", "--ttft-ms", "--tokens-per-second", "--completion-tokens",
                        "--error-rate", "--threads", "x-sim-status")
                .contains("(default: 20)", "(default: dalsi-ai,dalsi-aivi)", "(default: 127.0.0.1)");
    }

    @Test
    void backendRefusesABadOptionNamingIt() {
        assertThat(run("backend", "--error-rate", "2")).isEqualTo(2);
        assertThat(err()).startsWith("backend: simulator.errorRate: 2.0 (expected: 0..1)").contains("Usage: loadtest backend");

        err.reset();
        assertThat(run("backend", "--tokens-per-second", "fast")).isEqualTo(2);
        assertThat(err()).startsWith("backend: Invalid value for option '--tokens-per-second': 'fast' is not a double");

        err.reset();
        assertThat(run("backend", "--colour", "blue")).isEqualTo(2);
        assertThat(err()).startsWith("backend: Unknown options: '--colour', 'blue'");
    }

    @Test
    void runHelpShowsDefaultsNotExamples() {
        assertThat(run("run", "--help")).isZero();
        String help = out.toString(StandardCharsets.UTF_8).replaceAll("\\s+", " ");
        assertThat(help).contains("--invalid-share=SHARE share of requests with a bad key, half well-formed but"
                        + " unknown, half malformed (default: 0)")
                .contains("(default: 16)")
                .as("no example value shown as if it were the default")
                .doesNotContainPattern("SHARE 0\\.\\d")
                .doesNotContain("0.05");
    }
}
