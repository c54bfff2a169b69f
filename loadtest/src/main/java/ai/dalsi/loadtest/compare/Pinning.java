package ai.dalsi.loadtest.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Pins the generator to one CPU and the systems under test (with the backend) to another with
 * {@code taskset}, so on a two-core machine the generator never competes with what it measures
 * and the ratios between arms stay stable. Off when {@code taskset} is missing or there is only
 * one CPU; the report says which.
 *
 * @param enabled     whether commands are wrapped and the generator pinned
 * @param generatorCpu CPU of the generator
 * @param serverCpus   CPU list of the backend and the proxies (taskset syntax)
 * @param description  what was done, or why not, for the report
 */
record Pinning(boolean enabled, int generatorCpu, String serverCpus, String description) {

    /** Pins when possible: generator on CPU 0, everything else on CPU 1 (or 1-N on bigger machines). */
    public static Pinning detect(boolean wanted) {
        int cpus = Runtime.getRuntime().availableProcessors();
        if (!wanted) {
            return new Pinning(false, 0, "", "off (--no-pin)");
        }
        String taskset = which("taskset");
        if (taskset == null) {
            return new Pinning(false, 0, "", "off: taskset is not installed (util-linux)");
        }
        if (cpus < 2) {
            return new Pinning(false, 0, "", "off: only one CPU");
        }
        String servers = cpus == 2 ? "1" : "1-" + (cpus - 1);
        return new Pinning(true, 0, servers, "generator on CPU 0; backend, nginx and gateway on CPU " + servers
                + " (taskset)");
    }

    /** The command, run on the server CPUs when pinning. */
    public List<String> wrap(List<String> command) {
        if (!enabled) {
            return command;
        }
        List<String> out = new ArrayList<>(List.of("taskset", "-c", serverCpus));
        out.addAll(command);
        return out;
    }

    /** Moves every thread of this JVM to the generator CPU; threads started later inherit it. */
    public void pinSelf() throws IOException, InterruptedException {
        if (!enabled) {
            return;
        }
        Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", Integer.toString(generatorCpu),
                Long.toString(ProcessHandle.current().pid())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("taskset could not pin the generator: " + out.trim());
        }
    }

    /** The executable's path on {@code PATH} (plus the sbin directories), or null. */
    static String which(String name) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/local/sbin"));
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }
}
