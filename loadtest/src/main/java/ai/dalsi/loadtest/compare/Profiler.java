package ai.dalsi.loadtest.compare;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * async-profiler on a gateway arm during the measured rounds only: its native library (packed
 * into this jar from Maven Central's {@code tools.profiler:async-profiler}) is loaded into the
 * running JVM with {@code jcmd PID JVMTI.agent_load} and started paused; {@code resume} and
 * {@code stop} around each of the arm's measured rounds add those to one profile, and a last
 * {@code stop} with a file writes it as an HTML flame graph. Start-up, the warm-ups, the settling
 * between rounds, the other arms' rounds and the side rounds are not in it.
 *
 * <p>{@code cpu} samples the CPU time of every thread (async-profiler falls back from perf events
 * to a CPU timer where the kernel does not allow them); {@code alloc} samples heap allocations and
 * weighs them by bytes.
 */
final class Profiler {

    /** The events {@code --profile} takes. */
    static final List<String> EVENTS = List.of("cpu", "alloc");
    private static final String LIBRARY = "linux-x64/libasyncProfiler.so";

    private final String event;
    private final Path library;
    private final String jcmd;

    private Profiler(String event, Path library, String jcmd) {
        this.event = event;
        this.library = library;
        this.jcmd = jcmd;
    }

    /**
     * Unpacks the library into {@code dir}.
     *
     * @throws IOException when this is not Linux on x86-64 or the library is not in the jar
     */
    static Profiler prepare(String event, String java, Path dir) throws IOException {
        if (!EVENTS.contains(event)) {
            throw new IllegalArgumentException("--profile: " + event + " (expected: one of " + EVENTS + ")");
        }
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new IOException("--profile needs Linux on x86-64 (this is " + os + " on " + arch + ")");
        }
        Path lib = dir.resolve("profiler/libasyncProfiler.so").toAbsolutePath();
        Files.createDirectories(lib.getParent());
        try (InputStream in = Profiler.class.getClassLoader().getResourceAsStream(LIBRARY)) {
            if (in == null) {
                throw new IOException("--profile: " + LIBRARY + " is not in this jar");
            }
            Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
        }
        Path javaPath = Path.of(java);
        String jcmd = javaPath.getParent() == null ? "jcmd" : javaPath.getParent().resolve("jcmd").toString();
        return new Profiler(event, lib, jcmd);
    }

    String event() {
        return event;
    }

    /** Options of the profiled JVM: dynamic agents allowed, and stacks exact between safepoints. */
    static List<String> jvmOptions() {
        return List.of("-XX:+EnableDynamicAgentLoading", "-XX:+UnlockDiagnosticVMOptions", "-XX:+DebugNonSafepoints");
    }

    /** Starts sampling the process, from an empty profile. */
    void start(long pid) throws IOException {
        agent(pid, "start," + sampling());
    }

    /** Stops sampling the process and keeps what it sampled, for {@link #resume} or {@link #stop}. */
    void pause(long pid) throws IOException {
        agent(pid, "stop");
    }

    /** Samples the process again, adding to what it sampled before. */
    void resume(long pid) throws IOException {
        agent(pid, "resume," + sampling());
    }

    private String sampling() {
        return event.equals("alloc") ? "event=alloc" : "event=cpu,interval=1ms";
    }

    /**
     * Stops sampling and writes the flame graph to {@code html}, and the same stacks as text beside
     * it ({@code .collapsed}: one line per stack with its samples, or bytes for alloc), for grep.
     */
    void stop(long pid, Path html) throws IOException {
        String total = event.equals("alloc") ? ",total" : "";
        String name = html.getFileName().toString().replaceFirst("\\.html$", "");
        agent(pid, "dump,collapsed,file=" + html.toAbsolutePath().resolveSibling(name + ".collapsed") + total);
        agent(pid, "stop,file=" + html.toAbsolutePath() + total);
    }

    private void agent(long pid, String args) throws IOException {
        // Quoted: jcmd would read "name=value" in the options as an argument of its own.
        Process p = new ProcessBuilder(jcmd, Long.toString(pid), "JVMTI.agent_load", library.toString(), '"' + args + '"')
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || !output.contains("return code: 0")
                    || output.contains("[ERROR]")) {
                p.destroyForcibly();
                throw new IOException("async-profiler " + args + " on " + pid + ": " + output.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
