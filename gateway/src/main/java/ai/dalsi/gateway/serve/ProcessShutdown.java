package ai.dalsi.gateway.serve;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * How a server command ends: on SIGTERM (or SIGINT, Ctrl-C) the node stops in order and the
 * process exits 0 (1 when a step of the stop failed).
 *
 * <p>Why not just a shutdown hook: a JVM ended by a signal runs its hooks inside
 * {@code System.exit(128 + signal)}, and no hook can change that code, so a clean stop would still
 * exit 143. Halting with 0 at the end of a hook would fix the code but cut short the other hooks
 * running at the same time (a JFR dump on exit, for one). So SIGTERM and SIGINT get a handler of
 * their own: it stops the node, then calls {@code System.exit(0)}, which runs every shutdown hook
 * to its end as usual. A shutdown hook remains as the safety net for any other way the JVM ends
 * ({@code System.exit} elsewhere, SIGHUP): it stops the node if nothing did; and where the signal
 * handlers could not be installed (a JVM started with {@code -Xrs}), it halts with the stop's code
 * after stopping, the only way left to exit 0.
 *
 * <p>The calling (main) thread waits until the JVM ends, so the command never returns while the
 * node runs. Every step of the stop is bounded, so neither the handler nor the hook can hang.
 */
public final class ProcessShutdown {

    /** Name of the thread that stops the node on a signal, as it appears in log lines. */
    public static final String THREAD_NAME = "gateway-shutdown";

    private static final Logger LOG = LoggerFactory.getLogger(ProcessShutdown.class);

    private ProcessShutdown() {
    }

    /**
     * Installs the signal handlers and the safety-net hook around {@code stop} (true when it stopped
     * cleanly), and blocks the calling thread until the JVM ends. Does not return.
     */
    public static int awaitSignal(BooleanSupplier stop) {
        StopOnce once = new StopOnce(stop);
        boolean handled = handle("TERM", once);
        handle("INT", once);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            boolean clean = once.stop();
            if (!handled) {
                flush();
                Runtime.getRuntime().halt(clean ? 0 : 1);
            }
        }, THREAD_NAME + "-hook"));
        while (true) {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                // Keep waiting: the JVM ends through a signal or System.exit, never by returning here.
            }
        }
    }

    private static boolean handle(String signal, StopOnce once) {
        try {
            Signal.handle(new Signal(signal), s -> {
                // Signal handlers run on a thread of their own; the stop takes seconds, so give it a named one.
                Thread t = new Thread(() -> {
                    boolean clean = once.stop();
                    flush();
                    System.exit(clean ? 0 : 1);
                }, THREAD_NAME);
                t.start();
            });
            return true;
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LOG.warn("cannot handle SIG{} ({}); a shutdown hook stops the gateway instead", signal, e.getMessage());
            return false;
        }
    }

    private static void flush() {
        System.out.flush();
        System.err.flush();
    }

    /** Runs the stop once; a second caller waits for the first and gets the same answer. */
    private static final class StopOnce {
        private final BooleanSupplier stop;
        private final AtomicBoolean started = new AtomicBoolean();
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile boolean clean;

        StopOnce(BooleanSupplier stop) {
            this.stop = stop;
        }

        boolean stop() {
            if (started.compareAndSet(false, true)) {
                try {
                    clean = stop.getAsBoolean();
                } finally {
                    done.countDown();
                }
            } else {
                try {
                    done.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return clean;
        }
    }
}
