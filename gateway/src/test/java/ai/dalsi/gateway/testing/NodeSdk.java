package ai.dalsi.gateway.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs scripts against the official Node SDKs pinned in {@code src/test/node} ({@code package.json}
 * and {@code package-lock.json}): the first use installs them with {@code npm ci} into
 * {@code target/node-sdk} (again only when the lock file changed), so nothing is installed by hand.
 * Needs {@code node} and {@code npm} on the PATH and the npm registry. For another SDK test, add the
 * package to {@code package.json}, regenerate the lock ({@code npm install --package-lock-only}) and
 * put the script next to them; {@link #run} runs any script there with the environment it is given.
 */
public final class NodeSdk {

    private static final Path SOURCE = Path.of("src", "test", "node");
    private static final Path TARGET = Path.of("target", "node-sdk");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static boolean installed;

    private NodeSdk() {
    }

    /** What a script printed, and its exit code. */
    public record Result(int exitCode, String stdout, String stderr) {

        /** The last line of standard output as JSON (the scripts print their findings so). */
        public JsonNode json() {
            String[] lines = stdout.strip().split("\n");
            try {
                return JSON.readTree(lines[lines.length - 1]);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + stdout + "\n" + stderr, e);
            }
        }
    }

    /** Installs the SDKs if they are not yet (or the lock file changed); returns the directory they live in. */
    public static synchronized Path install() {
        if (installed) {
            return TARGET;
        }
        try {
            Files.createDirectories(TARGET);
            try (FileChannel lockFile = FileChannel.open(TARGET.resolve(".install.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = lockFile.lock()) {
                // Another test JVM may be installing at the same time: one at a time.
                try (var files = Files.list(SOURCE)) {
                    for (Path f : files.toList()) {
                        Files.copy(f, TARGET.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                Path marker = TARGET.resolve("node_modules").resolve(".installed-from-lock");
                String lock = Files.readString(SOURCE.resolve("package-lock.json"));
                if (!Files.exists(marker) || !Files.readString(marker).equals(lock)) {
                    Result r = exec(List.of("npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"), Map.of(),
                            Duration.ofMinutes(5));
                    if (r.exitCode() != 0) {
                        throw new IllegalStateException("npm ci failed in " + TARGET.toAbsolutePath() + ":\n"
                                + r.stdout() + r.stderr());
                    }
                    Files.writeString(marker, lock);
                }
            }
            installed = true;
            return TARGET;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code node <script> <args>} in the SDK directory with these extra environment variables. */
    public static Result run(String script, List<String> args, Map<String, String> env, Duration timeout) {
        install();
        List<String> command = new ArrayList<>();
        command.add("node");
        command.add(script);
        command.addAll(args);
        return exec(command, env, timeout);
    }

    private static Result exec(List<String> command, Map<String, String> env, Duration timeout) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(TARGET.toFile());
            pb.environment().putAll(env);
            Path out = Files.createTempFile("node-sdk", ".out");
            Path err = Files.createTempFile("node-sdk", ".err");
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(command + " did not finish within " + timeout + ": "
                        + Files.readString(err, StandardCharsets.UTF_8));
            }
            Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command + " (are node and npm on the PATH?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
