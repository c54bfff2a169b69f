package ai.dalsi.gateway.serve;

import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;

/**
 * How a server command ends: on SIGTERM (or SIGINT, Ctrl-C) the JVM runs a shutdown hook that
 * stops the node in order, and the process exits 0.
 *
 * <p>Why the hook halts: a JVM ended by a signal runs its hooks inside {@code System.exit(128 +
 * signal)}, so returning from {@code main} afterwards would still exit 143. Once the node has
 * stopped (every step bounded, so the hook cannot hang), the hook flushes the standard streams and
 * calls {@link Runtime#halt(int)} with 0, or 1 when a step failed. The main thread waits until then,
 * so the command never returns while the node still runs. Logback needs no hook of its own: its
 * console appender flushes every line.
 */
public final class ProcessShutdown {

    /** Name of the hook thread, as it appears in log lines written during shutdown. */
    public static final String THREAD_NAME = "gateway-shutdown";

    private ProcessShutdown() {
    }

    /**
     * Registers the hook that runs {@code stop} (true when it stopped cleanly) and then halts the
     * JVM, and blocks the calling thread until then. Does not return while the JVM runs.
     */
    public static int awaitSignal(BooleanSupplier stop) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            boolean clean = false;
            try {
                clean = stop.getAsBoolean();
            } finally {
                System.out.flush();
                System.err.flush();
                stopped.countDown();
                Runtime.getRuntime().halt(clean ? 0 : 1);
            }
        }, THREAD_NAME));
        while (true) {
            try {
                stopped.await();
                // Unreachable in practice: the hook halts the JVM right after counting down.
                return 0;
            } catch (InterruptedException e) {
                // Keep waiting: the node stops only through the hook.
            }
        }
    }
}
