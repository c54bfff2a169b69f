package ai.dalsi.loadtest.compare;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The nginx arm: writes {@link NginxConfig} into {@code DIR/nginx}, checks it with {@code nginx -t},
 * and runs {@code nginx -p DIR/nginx -c DIR/nginx/nginx.conf} in the foreground as a child
 * process, stopped at the end. Skipped, with the reason, when nginx is not installed.
 */
final class NginxArm extends Target {

    private final ChildProcess process;

    private NginxArm(ChildProcess process, URI url, List<String> known, List<String> overLimit) {
        super("nginx", url, known, overLimit);
        this.process = process;
    }

    /** The nginx binary, or why there is none. */
    static String binary(String configured) throws ArmUnavailable {
        String bin = configured != null ? configured : Pinning.which("nginx");
        if (bin == null || !Files.isExecutable(Path.of(bin))) {
            throw new ArmUnavailable("nginx is not installed (apt-get install -y nginx to include this arm)");
        }
        return bin;
    }

    static NginxArm start(String nginx, Path dir, int backendPort, List<String> known, List<String> overLimit,
            Pinning pinning) throws IOException {
        Path prefix = dir.resolve("nginx").toAbsolutePath();
        Files.createDirectories(prefix.resolve("tmp"));
        int port = Ports.free();
        NginxConfig config = new NginxConfig(port, backendPort, prefix, known, overLimit);
        Path conf = prefix.resolve("nginx.conf");
        Files.writeString(conf, config.render());
        Path errorLog = prefix.resolve("error.log");
        List<String> base = List.of(nginx, "-p", prefix.toString(), "-e", errorLog.toString(), "-c", conf.toString());
        check(base, dir);
        ChildProcess p = ChildProcess.start("nginx", pinning.wrap(base), Map.of(), prefix, dir.resolve("logs/nginx.log"));
        URI url = URI.create("http://127.0.0.1:" + port);
        try {
            // Any answer will do: without a key nginx answers 401, which proves it is up.
            p.awaitHttp(URI.create(url + "/v1/models"), 401, Duration.ofSeconds(20));
        } catch (IOException e) {
            p.close();
            throw new IOException(e.getMessage() + "\nnginx error log:\n" + tail(errorLog), e);
        }
        return new NginxArm(p, url, known, overLimit);
    }

    /** {@code nginx -t} on the generated config: a broken config fails here, with nginx's own message. */
    static void check(List<String> base, Path dir) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(base);
        cmd.add("-t");
        Process t = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(t.getInputStream().readAllBytes());
        try {
            if (!t.waitFor(30, TimeUnit.SECONDS) || t.exitValue() != 0) {
                throw new IOException("nginx -t refused the generated config:\n" + out.trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
        } catch (IOException e) {
            return "(none)";
        }
    }





    @Override
    long proxyPid() {
        return process.pid();
    }

    @Override
    public void close() {
        // nginx stops gracefully on SIGQUIT and fast on SIGTERM; fast is what we want here.
        process.stop(Duration.ofSeconds(10));
    }
}
