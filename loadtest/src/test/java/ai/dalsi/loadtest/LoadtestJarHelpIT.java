package ai.dalsi.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.testing.JarCommands;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every command of {@code loadtest.jar} answers {@code --help} (exit 0), and {@code --version} the build. */
class LoadtestJarHelpIT {

    private static final Path JAR = Path.of("target/loadtest.jar");

    @Test
    void everyCommandAnswersHelp() throws Exception {
        List<List<String>> paths = JarCommands.paths(LoadtestMain.commandLine(
                new PrintStream(PrintStream.nullOutputStream()), new PrintStream(PrintStream.nullOutputStream())));
        assertThat(paths).contains(List.of("backend"), List.of("run"), List.of("compare"), List.of("help"));
        paths.add(List.of());
        for (List<String> path : paths) {
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            JarCommands.Run r = JarCommands.run(JAR, args);
            assertThat(r.exit()).as(args + "\n" + r.err()).isZero();
            assertThat(r.out()).as(args.toString()).contains("Usage: loadtest" + (path.isEmpty() ? "" : " "
                    + String.join(" ", path)));
        }
    }

    @Test
    void versionNamesTheBuild() throws Exception {
        JarCommands.Run r = JarCommands.run(JAR, List.of("--version"));
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("loadtest 0.");
    }
}
