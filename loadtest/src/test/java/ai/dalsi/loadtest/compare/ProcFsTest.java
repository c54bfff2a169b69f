package ai.dalsi.loadtest.compare;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcFsTest {

    private static final String URL = "jdbc:postgresql://127.0.0.1:5432/postgres";

    @Test
    void cpuTicksAreUtimeAndStimeEvenWhenTheCommandNameHasSpacesAndParentheses() {
        String stat = "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 5000 0 3 0 1234 567 8 9 20 0 30 0 100 "
                + "123456789 4000 18446744073709551615 1 1 0 0 0 0 0 4096 17663 0 0 0 17 1 0 0 0 0 0";

        assertThat(ProcFs.parseUserSystemTicks(stat)).containsExactly(1234, 567);
    }

    @Test
    void cpuTimeSplitsUserFromSystemAndAddsUpToTheTotal() throws Exception {
        ProcFs proc = ProcFs.open();
        long pid = ProcessHandle.current().pid();
        ProcFs.CpuTime before = proc.cpuTime(pid);
        // User time: arithmetic in this JVM for at least a few clock ticks.
        long sum = 0;
        long until = System.nanoTime() + 300_000_000L;
        while (System.nanoTime() < until) {
            for (int i = 0; i < 100_000; i++) {
                sum += i ^ sum;
            }
        }
        // System time: many small writes to a file, each a system call.
        java.nio.file.Path file = java.nio.file.Files.createTempFile("procfs", ".bin");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            long end = System.nanoTime() + 300_000_000L;
            while (System.nanoTime() < end) {
                f.seek(0);
                f.write((int) sum);
            }
        } finally {
            java.nio.file.Files.delete(file);
        }
        ProcFs.CpuTime spent = proc.cpuTime(pid).since(before);

        assertThat(spent.userMicros()).isGreaterThanOrEqualTo(100_000);
        assertThat(spent.systemMicros()).isGreaterThanOrEqualTo(20_000);
        assertThat(spent.totalMicros()).isEqualTo(spent.userMicros() + spent.systemMicros());
        ProcFs.CpuTime now = proc.cpuTime(pid);
        assertThat(proc.cpuMicros(pid)).isBetween(now.totalMicros(), now.totalMicros() + 200_000);
    }

    @Test
    void peakRssIsVmHwmInKib() {
        String status = "Name:\tjava\nVmPeak:\t 9000000 kB\nVmHWM:\t  204800 kB\nVmRSS:\t  100000 kB\n";

        assertThat(ProcFs.parseVmHwmKb(status)).isEqualTo(204_800);
        assertThat(ProcFs.parseVmHwmKb("Name:\tzombie\n")).isZero();
    }

    @Test
    void commandNameAndParentAreReadAroundACommandNameWithSpacesAndParentheses() {
        String stat = "4242 (java (main) x) S 17 4242 4242 0 -1 4194560 5000 0 3 0 1234 567 8 9 20 0 30 0 100";

        assertThat(ProcFs.parseCommandName(stat)).isEqualTo("java (main) x");
        assertThat(ProcFs.parseParent(stat)).isEqualTo(17);
    }

    /** PostgreSQL runs on this machine (127.0.0.1:5432) wherever the tests run. */
    @Test
    void findsThisMachinesPostgresServerAndTheCpuItsBackendsSpend() throws Exception {
        ProcFs proc = ProcFs.open();
        List<Long> servers = proc.postgresServers();

        assertThat(servers).isNotEmpty();
        long before = proc.cpuMicros(servers);
        try (Connection c = DriverManager.getConnection(URL, "postgres", null);
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT sum(i) FROM generate_series(1, 5000000) AS i")) {
            assertThat(r.next()).isTrue();
            assertThat(r.getLong(1)).isEqualTo(5_000_000L * 5_000_001L / 2);
            // The connection's backend is still alive here: its CPU counts under its postmaster.
            assertThat(proc.cpuMicros(servers)).isGreaterThan(before);
        }
    }

    @Test
    void measuresThisJvm() {
        ProcFs proc = ProcFs.open();
        long pid = ProcessHandle.current().pid();

        assertThat(proc.ticksPerSecond()).isPositive();
        assertThat(proc.cpuMicros(pid)).isPositive();
        assertThat(proc.peakRssKb(pid)).isGreaterThan(1024);
    }
}
