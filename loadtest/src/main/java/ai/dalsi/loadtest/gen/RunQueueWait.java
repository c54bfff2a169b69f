package ai.dalsi.loadtest.gen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How long the calling thread has been ready to run but waiting for a CPU, from the second field of
 * Linux's {@code /proc/thread-self/schedstat} (nanoseconds spent on a run queue). A generator thread
 * that waits there is held back by whatever else runs on its CPU, and the rate it measures is then
 * partly that other work's doing.
 */
final class RunQueueWait {

    private static final Path SCHEDSTAT = Path.of("/proc/thread-self/schedstat");

    private RunQueueWait() {
    }

    /** The calling thread's run-queue wait so far in nanoseconds, or -1 where the kernel does not say. */
    static long ofCurrentThread() {
        try {
            return parse(Files.readString(SCHEDSTAT));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The second of {@code schedstat}'s three numbers (on-CPU time, run-queue wait, time slices); -1 if malformed. */
    static long parse(String schedstat) {
        String[] fields = schedstat.trim().split("\\s+");
        if (fields.length < 2) {
            return -1;
        }
        try {
            long wait = Long.parseLong(fields[1]);
            return wait < 0 ? -1 : wait;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
