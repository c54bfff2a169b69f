package ai.dalsi.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.GatewayMain;
import ai.dalsi.gateway.testing.JarCommands;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every command of {@code gateway.jar} answers {@code --help} (exit 0); bad arguments are one line, the usage, exit 2. */
class GatewayJarHelpIT {

    private static final Path JAR = Path.of("target/gateway.jar");

    @Test
    void everyCommandAnswersHelp() throws Exception {
        List<List<String>> paths = JarCommands.paths(GatewayMain.commandLine(Map.of(), new PrintStream(
                PrintStream.nullOutputStream()), new PrintStream(PrintStream.nullOutputStream())));
        assertThat(paths).contains(List.of("serve"), List.of("demo"), List.of("migrate"), List.of("admin"),
                List.of("admin", "create"), List.of("billing"), List.of("help"));
        paths.add(List.of());
        for (List<String> path : paths) {
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            JarCommands.Run r = JarCommands.run(JAR, args);
            assertThat(r.exit()).as(args + "\n" + r.err()).isZero();
            assertThat(r.out()).as(args.toString()).contains("Usage: gateway" + (path.isEmpty() ? "" : " "
                    + String.join(" ", path)));
            assertThat(r.err()).as(args.toString()).isEmpty();
        }
    }

    @Test
    void versionNamesTheBuildAndTheJava() throws Exception {
        JarCommands.Run r = JarCommands.run(JAR, List.of("--version"));
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("gateway 0.").contains("Java " + Runtime.version());
    }

    @Test
    void badArgumentsAreOneLineThenTheUsageAndExitTwo() throws Exception {
        JarCommands.Run billing = JarCommands.run(JAR, List.of("billing", "--period", "2026-10", "--help-me"));
        assertThat(billing.exit()).isEqualTo(2);
        assertThat(billing.err().lines().findFirst()).hasValue("billing: Unknown option: '--help-me'");
        assertThat(billing.err()).contains("Usage: gateway billing");

        JarCommands.Run admin = JarCommands.run(JAR, List.of("admin"));
        assertThat(admin.exit()).isEqualTo(2);
        assertThat(admin.err().lines().findFirst()).hasValue("admin: Missing required subcommand");
        assertThat(admin.err()).contains("Usage: gateway admin", "create");

        JarCommands.Run none = JarCommands.run(JAR, List.of());
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).startsWith("gateway: Missing required subcommand").contains("serve", "demo", "billing");
    }
}
