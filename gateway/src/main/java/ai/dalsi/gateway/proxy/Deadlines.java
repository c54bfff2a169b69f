package ai.dalsi.gateway.proxy;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.util.concurrent.TimeUnit;

/**
 * The three deadlines of one exchange, kept by one scheduled task that is re-armed for the nearest
 * deadline when it fires (instead of a task per chunk) and cancelled when the exchange ends:
 * <ul>
 *   <li>total: from {@link #start} to the backend's last byte, across every attempt;</li>
 *   <li>first byte: from sending the request to an attempt's response headers (each attempt its own);</li>
 *   <li>idle: the longest silence of the backend while the proxy waits for more of the response.
 *       Waiting on a slow client is not silence: it counts only while a read of the backend is
 *       outstanding ({@link #awaitingBackend}).</li>
 * </ul>
 * Confined to the exchange's event loop.
 */
final class Deadlines {

    /** Which deadline passed. */
    enum Expired { TOTAL, FIRST_BYTE, IDLE }

    private final EventExecutor loop;
    private final Ticker ticker;
    private final long totalNanos;
    private final long firstByteNanos;
    private final long idleNanos;
    private final Runnable onTimer;

    private long startNanos;
    /** Waiting for headers since then, or -1. */
    private long sentNanos = -1;
    /** Streaming, a read outstanding since then, or -1. */
    private long awaitingSince = -1;
    private ScheduledFuture<?> timer;
    private long timerDeadline;

    /** {@code onTimer} runs on the loop when the nearest deadline may have passed; it asks {@link #expired}. */
    Deadlines(EventExecutor loop, Ticker ticker, ProxyConfig config, Runnable onTimer) {
        this.loop = loop;
        this.ticker = ticker;
        this.totalNanos = config.totalTimeout().toNanos();
        this.firstByteNanos = config.firstByteTimeout().toNanos();
        this.idleNanos = config.idleTimeout().toNanos();
        this.onTimer = onTimer;
    }

    long now() {
        return ticker.nanoTime();
    }

    /** The exchange starts: the total deadline runs. */
    void start() {
        startNanos = ticker.nanoTime();
        arm(startNanos + totalNanos);
    }

    long startNanos() {
        return startNanos;
    }

    /** Whether the total deadline leaves time for another attempt. */
    boolean timeLeft() {
        return ticker.nanoTime() - startNanos < totalNanos;
    }

    /** A request was sent: its first-byte deadline runs. */
    void awaitingHeaders(long sent) {
        sentNanos = sent;
        awaitingSince = -1;
        arm(sent + firstByteNanos);
    }

    /** The attempt ended before its headers (a retry follows, or the exchange ends). */
    void notAwaitingHeaders() {
        sentNanos = -1;
    }

    /** The headers arrived: from now on the idle deadline applies while a read is outstanding. */
    void headersArrived() {
        sentNanos = -1;
    }

    /** A read of the backend is outstanding (true) or the proxy waits on the client (false). */
    void awaitingBackend(boolean waiting) {
        if (waiting) {
            awaitingSince = ticker.nanoTime();
            arm(awaitingSince + idleNanos);
        } else {
            awaitingSince = -1;
        }
    }

    /** The backend sent something: the idle clock restarts. */
    void activity() {
        if (awaitingSince >= 0) {
            awaitingSince = ticker.nanoTime();
        }
    }

    /**
     * Called from the timer: which deadline has passed, or null after re-arming for the next one.
     * Total first, then first byte, then idle.
     */
    Expired expired() {
        timer = null;
        long now = ticker.nanoTime();
        if (now - startNanos >= totalNanos) {
            return Expired.TOTAL;
        }
        if (sentNanos >= 0 && now - sentNanos >= firstByteNanos) {
            return Expired.FIRST_BYTE;
        }
        if (sentNanos < 0 && awaitingSince >= 0 && now - awaitingSince >= idleNanos) {
            return Expired.IDLE;
        }
        arm(nextDeadline());
        return null;
    }

    private long nextDeadline() {
        long deadline = startNanos + totalNanos;
        if (sentNanos >= 0) {
            deadline = Math.min(deadline, sentNanos + firstByteNanos);
        } else if (awaitingSince >= 0) {
            deadline = Math.min(deadline, awaitingSince + idleNanos);
        }
        return deadline;
    }

    /** Makes sure the timer fires by {@code deadline}: an earlier one stays, a later one is replaced. */
    private void arm(long deadline) {
        if (timer != null) {
            if (timerDeadline <= deadline) {
                return;
            }
            timer.cancel(false);
        }
        timerDeadline = deadline;
        timer = loop.schedule(onTimer, Math.max(0, deadline - ticker.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /** The exchange ended: no timer left behind. */
    void cancel() {
        sentNanos = -1;
        awaitingSince = -1;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
