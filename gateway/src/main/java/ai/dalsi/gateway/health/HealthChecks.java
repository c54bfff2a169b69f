package ai.dalsi.gateway.health;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javax.sql.DataSource;

/** The checks the composition root plugs into {@link Readiness}. */
public final class HealthChecks {

    private HealthChecks() {
    }

    /** {@code SELECT 1} on a pooled connection, with the readiness timeout as query timeout. */
    public static HealthCheck database(DataSource dataSource) {
        return new Named("database", false, timeout -> {
            long start = System.nanoTime();
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.setQueryTimeout((int) Math.max(1, timeout.toSeconds()));
                try (ResultSet rs = s.executeQuery("SELECT 1")) {
                    rs.next();
                }
                return HealthCheck.Result.up("SELECT 1 in " + (System.nanoTime() - start) / 1_000_000 + " ms");
            } catch (SQLException e) {
                return HealthCheck.Result.down(oneLine(e.getMessage()));
            }
        });
    }

    /** A TCP connect to {@code host:port} (e.g. the model backend). */
    public static HealthCheck tcp(String name, String host, int port, boolean required) {
        return new Named(name, required, timeout -> {
            long start = System.nanoTime();
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
                return HealthCheck.Result.up("connected to " + host + ":" + port + " in "
                        + (System.nanoTime() - start) / 1_000_000 + " ms");
            } catch (IOException e) {
                return HealthCheck.Result.down("cannot connect to " + host + ":" + port + ": " + oneLine(e.getMessage()));
            }
        });
    }

    /** A state some component keeps (the public port is bound, metering accepts events). */
    public static HealthCheck flag(String name, boolean required, BooleanSupplier up, String upDetail,
            String downDetail) {
        return new Named(name, required, timeout -> up.getAsBoolean()
                ? HealthCheck.Result.up(upDetail) : HealthCheck.Result.down(downDetail));
    }

    /** A state with its own wording, e.g. the last backend outcome the proxy saw. */
    public static HealthCheck of(String name, boolean required, Supplier<HealthCheck.Result> state) {
        return new Named(name, required, timeout -> state.get());
    }

    private static String oneLine(String s) {
        return s == null ? "failed" : s.replaceAll("\\s+", " ").strip();
    }

    private record Named(String name, boolean required, Probe probe) implements HealthCheck {
        @Override
        public Result check(Duration timeout) {
            return probe.check(timeout);
        }
    }

    @FunctionalInterface
    private interface Probe {
        HealthCheck.Result check(Duration timeout);
    }
}
