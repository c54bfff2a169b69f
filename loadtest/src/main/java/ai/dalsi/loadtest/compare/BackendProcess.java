package ai.dalsi.loadtest.compare;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The simulated OpenAI backend as its own JVM ({@code java -jar loadtest.jar backend --port N}),
 * so its CPU is measured apart from the generator's and the proxies'. Every arm sends to it; the
 * backend arm sends to it directly.
 */
final class BackendProcess implements AutoCloseable {

    private final ChildProcess process;
    private final int port;

    private BackendProcess(ChildProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    static BackendProcess start(CompareOptions o, Pinning pinning, Path dir) throws IOException {
        int port = Ports.free();
        List<String> cmd = new ArrayList<>();
        cmd.add(o.java());
        cmd.addAll(o.jvmOptions());
        cmd.addAll(List.of("-jar", o.loadtestJar().toAbsolutePath().toString(), "backend", "--port", Integer.toString(port)));
        cmd.addAll(o.backendArgs());
        ChildProcess p = ChildProcess.start("backend", pinning.wrap(cmd), Map.of(), dir.resolve("backend"),
                dir.resolve("logs/backend.log"));
        BackendProcess b = new BackendProcess(p, port);
        try {
            p.awaitHttp(URI.create(b.url() + "/v1/models"), 0, Duration.ofSeconds(60));
        } catch (IOException e) {
            p.close();
            throw e;
        }
        return b;
    }

    int port() {
        return port;
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.alive();
    }

    /** The backend arm: load goes straight to the backend, which accepts every key. */
    Target asArm(List<String> known, List<String> overLimit) {
        URI url = url();
        return new Target("backend", url, known, overLimit) {
            @Override
            long proxyPid() {
                return -1;
            }

            @Override
            public void close() {
                // The backend process outlives its arm: the other arms use it too.
            }
        };
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(10));
    }
}
