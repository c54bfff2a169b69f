package ai.dalsi.loadtest.compare;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * CPU time and peak memory of processes, from {@code /proc}: {@code utime + stime} of
 * {@code /proc/PID/stat} (in clock ticks, {@code getconf CLK_TCK} per second) and {@code VmHWM}
 * of {@code /proc/PID/status}. A process is measured together with its descendants (nginx's
 * workers under its master).
 */
final class ProcFs {

    private static final String POSTGRES = "postgres";

    private final long ticksPerSecond;

    private ProcFs(long ticksPerSecond) {
        this.ticksPerSecond = ticksPerSecond;
    }

    /** Reads the clock tick rate once ({@code getconf CLK_TCK}; 100 if that fails, the Linux default). */
    public static ProcFs open() {
        long tck = 100;
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                tck = Long.parseLong(out);
            }
        } catch (IOException | NumberFormatException e) {
            // keep the default
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new ProcFs(tck);
    }

    /** Whether {@code /proc} can be read here (Linux). */
    public static boolean available() {
        return Files.isReadable(Path.of("/proc/self/stat"));
    }

    public long ticksPerSecond() {
        return ticksPerSecond;
    }

    /**
     * CPU time of a process, in microseconds, as the kernel splits it: in the process's own code and
     * its libraries ({@code utime}), and in the kernel on its behalf ({@code stime}: system calls, and
     * the network stack's work for its sends).
     */
    public record CpuTime(long userMicros, long systemMicros) {

        public long totalMicros() {
            return userMicros + systemMicros;
        }

        /** What was spent since {@code before}. */
        public CpuTime since(CpuTime before) {
            return new CpuTime(userMicros - before.userMicros, systemMicros - before.systemMicros);
        }
    }

    /** CPU time (user + system) of the process and its live descendants, in microseconds. */
    public long cpuMicros(long pid) {
        return cpuTime(pid).totalMicros();
    }

    /** {@link CpuTime} of the process and its live descendants. */
    public CpuTime cpuTime(long pid) {
        long[] ticks = new long[2];
        addTicks(pid, ticks);
        for (ProcessHandle d : ProcessHandle.of(pid).map(h -> h.descendants().toList()).orElse(java.util.List.of())) {
            addTicks(d.pid(), ticks);
        }
        return micros(ticks);
    }

    /** CPU time (user + system) of the process alone, without its children, in microseconds. */
    public long processCpuMicros(long pid) {
        long[] ticks = new long[2];
        addTicks(pid, ticks);
        return micros(ticks).totalMicros();
    }

    private CpuTime micros(long[] userAndSystemTicks) {
        return new CpuTime(userAndSystemTicks[0] * 1_000_000 / ticksPerSecond,
                userAndSystemTicks[1] * 1_000_000 / ticksPerSecond);
    }

    /**
     * The PostgreSQL servers running on this machine: each postmaster, a process named
     * {@code postgres} whose parent is not one. {@link #cpuMicros} of a postmaster covers its
     * backends, the ledger writer's among them.
     */
    public List<Long> postgresServers() {
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            return entries.map(e -> e.getFileName().toString())
                    .filter(n -> !n.isEmpty() && n.chars().allMatch(Character::isDigit))
                    .map(Long::parseLong)
                    .filter(ProcFs::isPostmaster)
                    .sorted()
                    .toList();
        } catch (IOException | UncheckedIOException e) {
            return List.of();
        }
    }

    /** {@link #cpuMicros} summed over the processes. */
    public long cpuMicros(List<Long> pids) {
        long sum = 0;
        for (long pid : pids) {
            sum += cpuMicros(pid);
        }
        return sum;
    }

    /** Peak resident set size of the process plus its live descendants, in KiB. */
    public long peakRssKb(long pid) {
        long kb = vmHwm(pid);
        for (ProcessHandle d : ProcessHandle.of(pid).map(h -> h.descendants().toList()).orElse(java.util.List.of())) {
            kb += vmHwm(d.pid());
        }
        return kb;
    }

    private static void addTicks(long pid, long[] userAndSystem) {
        String stat = stat(pid);
        if (stat != null) { // null: the process is gone
            long[] t = parseUserSystemTicks(stat);
            userAndSystem[0] += t[0];
            userAndSystem[1] += t[1];
        }
    }

    /** A postmaster: a process named postgres whose parent is not one (or is gone, or is pid 0). */
    private static boolean isPostmaster(long pid) {
        String stat = stat(pid);
        if (stat == null || !POSTGRES.equals(parseCommandName(stat))) {
            return false;
        }
        String parent = stat(parseParent(stat));
        return parent == null || !POSTGRES.equals(parseCommandName(parent));
    }

    /** The text of {@code /proc/PID/stat}, or null when there is no such process. */
    private static String stat(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException e) {
            return null;
        }
    }

    private static long vmHwm(long pid) {
        try {
            return parseVmHwmKb(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * utime and stime from the text of {@code /proc/PID/stat}, in clock ticks. The command name
     * (field 2) may hold spaces and parentheses, so fields are counted from the last {@code ')'}:
     * utime and stime are fields 14 and 15, the 12th and 13th after it.
     */
    static long[] parseUserSystemTicks(String stat) {
        String[] f = fieldsAfterName(stat);
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
    }

    /** The command name of {@code /proc/PID/stat}: field 2, between the first '(' and the last ')'. */
    static String parseCommandName(String stat) {
        return stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    }

    /** The parent's pid of {@code /proc/PID/stat}: field 4, the 2nd after the command name. */
    static long parseParent(String stat) {
        return Long.parseLong(fieldsAfterName(stat)[1]);
    }

    /** The fields of {@code /proc/PID/stat} after the command name (field 3 on). */
    private static String[] fieldsAfterName(String stat) {
        return stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
    }

    /** The {@code VmHWM} line of {@code /proc/PID/status}, in KiB (0 when absent, e.g. a zombie). */
    static long parseVmHwmKb(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
            }
        }
        return 0;
    }
}
