package ai.dalsi.loadtest.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

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
        assertThat(CompareCommand.launcherOptions(25)).containsExactly("-Xms192m", "-Xmx192m",
                "-XX:MaxDirectMemorySize=256m", "-XX:+UseSerialGC", "-Dio.netty.leakDetection.level=disabled",
                "-Dio.netty.allocator.lowMemory=false", "--sun-misc-unsafe-memory-access=allow");
        assertThat(CompareCommand.launcherOptions(21)).as("Java 21 and 22 do not know the option")
                .doesNotContain(CompareCommand.UNSAFE_OPTION);
    }
}
