package ai.dalsi.gateway.testing;

import ai.dalsi.persistence.testing.Eventually;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar target/gateway.jar ...} as a child process, as an operator runs it: its own
 * environment (nothing inherited but {@code PATH} and {@code HOME}), a working directory, stdout and
 * stderr collected line by line. {@link #close()} kills it if it still runs, so no test leaves a JVM
 * behind.
 */
public final class GatewayProcess implements AutoCloseable {

    /** The ports below the ephemeral range that {@link #freePort()} has handed out in this JVM. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    /** The packaged jar: integration tests run after {@code package}. */
    public static final Path JAR = Path.of("target/gateway.jar");

    private final Process process;
    private final List<String> out = new CopyOnWriteArrayList<>();
    private final List<String> err = new CopyOnWriteArrayList<>();
    private final Thread outPump;
    private final Thread errPump;

    private GatewayProcess(Process process) {
        this.process = process;
        this.outPump = pump(process.getInputStream(), out, "stdout");
        this.errPump = pump(process.getErrorStream(), err, "stderr");
    }

    /**
     * Starts the jar with these arguments and environment variables, in {@code workDir} (the metering
     * journal's default directory is relative to it).
     */
    public static GatewayProcess start(Path workDir, Map<String, String> env, String... args) {
        return start(workDir, env, List.of(), args);
    }

    /** {@link #start(Path, Map, String...)} with extra JVM options (e.g. a flight recording). */
    public static GatewayProcess start(Path workDir, Map<String, String> env, List<String> jvmOptions, String... args) {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: integration tests run after package");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(JAR.toAbsolutePath().toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        Map<String, String> environment = pb.environment();
        Map<String, String> keep = new HashMap<>();
        for (String name : List.of("PATH", "HOME", "LANG", "TMPDIR")) {
            if (System.getenv(name) != null) {
                keep.put(name, System.getenv(name));
            }
        }
        environment.clear();
        environment.putAll(keep);
        environment.putAll(env);
        try {
            return new GatewayProcess(pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Thread pump(InputStream in, List<String> lines, String name) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // The process went away: its output ends here.
            }
        }, "child-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * A port nobody listens on right now, for a child process that must be told its port before it
     * starts. It is drawn below the system's ephemeral range: a port from that range (what binding
     * port 0 here would return) can become the local port of any outgoing connection on the machine
     * before the child binds it, which made start-up tests fail with "Address already in use" on the
     * wrong port. A port below the range is handed out once per test JVM, so two ports asked for one
     * after the other (a child's public and admin ports) differ even though neither is bound yet;
     * test JVMs that run at once ({@code it.forks}) each draw from their own share of those ports
     * ({@link #share}). Falls back to port 0's answer, which carries no such promise, if no port
     * below the range is free.
     */
    public static int freePort() {
        int[] share = share(ephemeralRangeStart(), Integer.getInteger("it.fork", 1), Integer.getInteger("it.forks", 1));
        int from = share[0];
        int to = share[1];
        for (int attempt = 0; attempt < 64 && from < to; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(from, to);
            if (listenable(port) && HANDED_OUT.add(port)) {
                return port;
            }
        }
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The ports {@code [from, to)} that test JVM {@code fork} (1-based) of {@code forks} draws from:
     * its part of the 12,000 ports (at most) below {@code ephemeralStart}, none below 10,000.
     */
    static int[] share(int ephemeralStart, int fork, int forks) {
        int low = Math.max(10_000, ephemeralStart - 12_000);
        int n = Math.max(1, forks);
        int i = Math.floorMod(fork - 1, n);
        int width = Math.max(0, ephemeralStart - low) / n;
        return new int[] {low + i * width, low + (i + 1) * width};
    }

    private static boolean listenable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The first port of {@code net.ipv4.ip_local_port_range} (Linux), 32768 where it cannot be read.
     * Read by lines: {@code Files.readString} reads a file the kernel says is empty a byte at a time,
     * and a sysctl file answers a read past its first byte with end of file, which gave "3".
     */
    static int ephemeralRangeStart() {
        try {
            String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    public List<String> stdout() {
        return List.copyOf(out);
    }

    public List<String> stderr() {
        return List.copyOf(err);
    }

    /** stdout and stderr, for failure messages. */
    public String output() {
        return "--- stdout ---\n" + String.join("\n", out) + "\n--- stderr ---\n" + String.join("\n", err);
    }

    public boolean alive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** Waits until stdout has a line starting with {@code prefix} and returns it (fails if the process ends first). */
    public String awaitStdoutLine(String prefix, Duration timeout) {
        Eventually.await("a line starting with \"" + prefix + "\" on stdout\n" + output(), timeout, () -> {
            if (out.stream().anyMatch(l -> l.startsWith(prefix))) {
                return true;
            }
            if (!process.isAlive()) {
                throw new AssertionError("the process ended with " + process.exitValue() + "\n" + output());
            }
            return false;
        });
        return out.stream().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow();
    }

    /** Waits until {@code GET /health/ready} on the admin port answers 200. */
    public void awaitReady(int adminPort, Duration timeout) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        Eventually.await("the gateway is ready on admin port " + adminPort, timeout, () -> {
            if (!process.isAlive()) {
                throw new AssertionError("the process ended with " + process.exitValue() + "\n" + output());
            }
            try {
                return client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /**
     * Sends SIGTERM. Through the {@link ProcessHandle}: {@link Process#destroy()} sends the same
     * signal but also closes our ends of the pipes, which would lose what the process logs while it
     * shuts down.
     */
    public void terminate() {
        process.toHandle().destroy();
    }

    /** Sends SIGKILL (through the handle, like {@link #terminate()}). */
    public void kill() {
        process.toHandle().destroyForcibly();
    }

    /** The exit code, waiting at most {@code timeout}; fails if it is still running then. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("still running after " + timeout + "\n" + output());
            }
            // Let the pumps read what the process wrote last.
            outPump.join(5000);
            errPump.join(5000);
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
