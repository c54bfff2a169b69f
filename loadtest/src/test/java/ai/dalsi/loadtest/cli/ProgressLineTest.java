package ai.dalsi.loadtest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.loadtest.gen.LiveStats;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressLineTest {

    private final LiveStats stats = new LiveStats(Duration.ofMillis(3200), 6400, 2001.4, 12, 1, 1870);

    @Test
    void showsElapsedRateErrorsAndP99RedrawnInPlace() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressLine line = new ProgressLine(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, "round 1/3 nginx");

        line.accept(stats);
        line.close();

        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).startsWith("\r").endsWith(System.lineSeparator());
        assertThat(text).contains("round 1/3 nginx", "3.2s", "2001 req/s", "answered 6400", "non-2xx 12", "failed 1",
                "p99 1.87 ms");
    }

    @Test
    void staysQuietWhenDisabled() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressLine line = new ProgressLine(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, "");

        line.accept(stats);
        line.close();

        assertThat(bytes.size()).isZero();
    }
}
