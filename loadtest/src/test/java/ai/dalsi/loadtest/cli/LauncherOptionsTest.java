package ai.dalsi.loadtest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code compare} measures the gateway with the JVM options {@code bin/gateway} runs it with. */
class LauncherOptionsTest {

    private static String launcher() throws Exception {
        return Files.readString(Path.of("../bin/lib/run-jar"));
    }

    private static String assigned(String script, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "=\\(?([^)\\n]*)\\)?$").matcher(script);
        assertThat(m.find()).as(name + " in bin/lib/run-jar").isTrue();
        return m.group(1).trim();
    }

    @Test
    void theGatewayArmGetsTheLaunchersHeapCollectorAndUnsafeOptions() throws Exception {
        String script = launcher();
        assertThat(assigned(script, "GATEWAY_JVM_OPTIONS")).isEqualTo(CompareCommand.GATEWAY_JVM_OPTIONS);
        assertThat(assigned(script, "UNSAFE_OPTION")).isEqualTo(CompareCommand.UNSAFE_OPTION);
        assertThat(assigned(script, "GATEWAY_MALLOC_ARENA_MAX")).isEqualTo(ai.dalsi.loadtest.compare.CompareOptions.GATEWAY_MALLOC_ARENA_MAX);
        assertThat(assigned(script, "THP_OPTION")).isEqualTo(CompareCommand.THP_OPTION);
        assertThat(assigned(script, "THP_MODES")).isEqualTo(CompareCommand.THP_MODES.toString());
        assertThat(CompareCommand.launcherOptions(25, false)).containsExactly("-Xms192m", "-Xmx192m",
                "-XX:MaxDirectMemorySize=256m", "-XX:+UseSerialGC", "-Dio.netty.leakDetection.level=disabled",
                "-Dio.netty.allocator.lowMemory=false", "--sun-misc-unsafe-memory-access=allow");
        assertThat(CompareCommand.launcherOptions(25, true)).endsWith("--sun-misc-unsafe-memory-access=allow",
                "-XX:+UseTransparentHugePages");
        assertThat(CompareCommand.launcherOptions(21, false)).as("Java 21 and 22 do not know the option")
                .doesNotContain(CompareCommand.UNSAFE_OPTION);
    }

    @Test
    void hugePagesOnlyWhereTheKernelGivesThemOnRequest(@TempDir Path dir) throws Exception {
        Path modes = dir.resolve("enabled");
        Files.writeString(modes, "always [madvise] never\n");
        assertThat(CompareCommand.hugePagesOnRequest(modes)).isTrue();
        Files.writeString(modes, "[always] madvise never\n");
        assertThat(CompareCommand.hugePagesOnRequest(modes)).isTrue();
        Files.writeString(modes, "always madvise [never]\n");
        assertThat(CompareCommand.hugePagesOnRequest(modes)).as("never: the JVM would only warn").isFalse();
        assertThat(CompareCommand.hugePagesOnRequest(dir.resolve("missing"))).as("no such file").isFalse();
    }

    @Test
    void theLauncherAsksForHugePagesOnlyInTheModesTheCommandDoes() throws Exception {
        String script = launcher();
        assertThat(script).contains("if grep -qE '\\[(madvise|always)\\]' \"$THP_MODES\" 2>/dev/null; then\n"
                + "    JVM_OPTIONS+=(\"$THP_OPTION\")");
    }
}
