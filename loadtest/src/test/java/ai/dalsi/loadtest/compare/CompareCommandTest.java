package ai.dalsi.loadtest.compare;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.loadtest.LoadtestMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CompareCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return LoadtestMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void withoutAnOutputDirectoryItSaysWhatIsMissing() {
        assertThat(run("compare", "--duration", "20s")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("compare: Missing required option: '--out=DIR'");
    }

    @Test
    void badValuesAreRefusedNamingTheOption() {
        assertThat(run("compare", "--out", "/tmp/x", "--rounds", "0")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("compare: --rounds: 0 (expected: >= 1)");
        err.reset();
        assertThat(run("compare", "--out", "/tmp/x", "--duration", "soon")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .startsWith("compare: Invalid value for option '--duration': 'soon' (expected: a duration");
        err.reset();
        assertThat(run("compare", "--out", "/tmp/x", "--side-rounds", "0")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("compare: --side-rounds: 0 (expected: >= 1)");
        err.reset();
        assertThat(run("compare", "--out", "/tmp/x", "--side-warmup", "-2s")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("compare: --side-warmup: PT-2S (expected: >= 0)");
        err.reset();
        assertThat(run("compare", "--out", "/tmp/x", "--round-warmup", "-1s")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("compare: --round-warmup: PT-1S (expected: >= 0)");
        err.reset();
        assertThat(run("compare", "--out", "/tmp/x", "--arms", "backend,haproxy")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("compare: --arms: ");
        err.reset();
        assertThat(run("compare", "--out", "/tmp/x", "--arms", "gateway,gateway-redis", "--redis-url", "memcached://x"))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("compare: --redis-url: memcached://x (expected: redis://");
        err.reset();
        assertThat(run("compare", "--out", "/tmp/x", "--arms", "gateway-baseline,gateway")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("compare: --baseline-jar: required by the gateway-baseline arm");
        err.reset();
        assertThat(run("compare", "--out", "/tmp/x", "--profile", "wall")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("compare: --profile: wall (expected: one of [cpu, alloc])");
        err.reset();
        assertThat(run("compare", "--out", "/tmp/x", "--unknown-share", "1")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .startsWith("compare: --over-limit-share + --unknown-share + --malformed-share: 1.04 (expected: <= 1)");
        err.reset();
        assertThat(run("compare", "--out", "/tmp/x", "--malformed-share", "1.5")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("compare: --malformed-share: 1.5 (expected: between 0 and 1)");
        err.reset();
        assertThat(run("compare", "--out", "/tmp/x", "--db-password", "secret")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("compare: Unknown options: '--db-password', 'secret'");
    }

    @Test
    void runRefusesRateAndMaxTogether() {
        assertThat(run("run", "--url", "http://127.0.0.1:1", "--rate", "10", "--max", "--key", "k")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("run: --rate R or --max: exactly one is required")
                .contains("Usage: loadtest run");
    }
}
