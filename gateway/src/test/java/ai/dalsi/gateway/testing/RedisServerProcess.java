package ai.dalsi.gateway.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} of a test's own on a free port, without persistence, that the test can
 * kill and start again on the same port (Redis faults without touching the machine's Redis).
 */
public final class RedisServerProcess implements AutoCloseable {

    private final int port;
    /** Options after the port, bind address and no-persistence ones. */
    private final List<String> options;
    private Process process;

    private RedisServerProcess(int port, List<String> options) {
        this.port = port;
        this.options = options;
    }

    /** Starts one on a free port and waits until it answers. */
    public static RedisServerProcess start() {
        RedisServerProcess r = new RedisServerProcess(GatewayProcess.freePort(), List.of());
        r.startAgain();
        return r;
    }

    /**
     * Starts one in cluster mode, its node file in {@code dir}, and waits until it answers; it has no
     * slots yet. Its cluster bus gets a free port of its own: by default it is the port plus 10,000,
     * which lands in the ephemeral range, where any outgoing connection may hold it, and redis-server
     * exits when it cannot bind it.
     */
    public static RedisServerProcess startCluster(Path dir) {
        RedisServerProcess r = new RedisServerProcess(GatewayProcess.freePort(), List.of("--cluster-enabled", "yes",
                "--cluster-port", Integer.toString(GatewayProcess.freePort()),
                "--cluster-config-file", dir.resolve("nodes.conf").toString()));
        r.startAgain();
        return r;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts the server (again) on its port and waits until it answers PING. */
    public synchronized void startAgain() {
        try {
            List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind",
                    "127.0.0.1", "--save", "", "--appendonly", "no"));
            command.addAll(options);
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .directory(Path.of(System.getProperty("java.io.tmpdir")).toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start redis-server (is it installed?)", e);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            RedisClient client = RedisClient.create(url());
            try (StatefulRedisConnection<String, String> c = client.connect()) {
                c.sync().ping();
                return;
            } catch (RuntimeException e) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("redis-server on port " + port + " exited with "
                            + process.exitValue() + " (options " + options + ")", e);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("redis-server on port " + port + " did not answer", e);
                }
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Kills the server at once (SIGKILL): connections drop, nothing is saved. */
    public synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    @Override
    public void close() {
        kill();
    }
}
