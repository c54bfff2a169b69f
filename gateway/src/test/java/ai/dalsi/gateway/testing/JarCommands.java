package ai.dalsi.gateway.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * Runs a packaged jar as a user does ({@code java -jar JAR ARGS}) and lists the command paths of a
 * picocli command tree, so a test can ask every command of a jar for its {@code --help}.
 */
public final class JarCommands {

    /** What one run printed and returned. */
    public record Run(int exit, String out, String err) {
    }

    private JarCommands() {
    }

    /** {@code serve}, {@code admin create}, ...: every command below the root, depth first. */
    public static List<List<String>> paths(CommandLine root) {
        List<List<String>> paths = new ArrayList<>();
        collect(root, List.of(), paths);
        return paths;
    }

    private static void collect(CommandLine cmd, List<String> prefix, List<List<String>> into) {
        cmd.getSubcommands().forEach((name, sub) -> {
            List<String> path = new ArrayList<>(prefix);
            path.add(name);
            into.add(path);
            collect(sub, path, into);
        });
    }

    /** Runs the jar with these arguments, no standard input and no GATEWAY_* variables, within a minute. */
    public static Run run(Path jar, List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toAbsolutePath().toString()));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("GATEWAY_"));
        Path out = Files.createTempFile("jar", ".out");
        Path err = Files.createTempFile("jar", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(
                new java.io.File("/dev/null")));
        Process p = pb.start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(args + " still runs after a minute");
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
