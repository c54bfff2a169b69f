package ai.dalsi.loadtest.gen;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * What one run measured. Latencies are in microseconds. {@code latency} counts from each
 * request's intended send time (in open loop that includes any wait for a free connection, so it
 * is corrected for coordinated omission); {@code serviceTime} counts from the moment the request
 * was written, which is what a naive client reports. In closed loop the two are the same.
 *
 * @param spec              what was run
 * @param elapsed           from the start to the last answer
 * @param sent              requests written to a connection
 * @param completed         requests answered with a complete response (any status)
 * @param failed            requests that got no complete response (connection refused, reset, closed)
 * @param unfinished        requests still queued or in flight when the drain timeout ended the run
 * @param incompleteStreams 2xx streams that ended without {@code data: [DONE]}
 * @param latency           answered requests, from intended send time to last byte
 * @param serviceTime       answered requests, from actual send time to last byte
 * @param timeToFirstByte   answered streams, from intended send time to the first body byte (the first event)
 * @param statusCounts      index: HTTP status (0 for no response); value: requests
 * @param perKey            index: key index in {@link LoadSpec#keys()}, then {@link StatusClass} ordinal
 * @param intendedSpanNanos time from the first to the last intended send time
 * @param runQueueWaitNanos the generator's loop threads, summed: time they were ready to run but waited
 *                          for a CPU during the run; -1 where the kernel does not say
 * @param latencyByKind     answered requests of each kind that occurred, from intended send time to last byte
 */
public record RunResult(
        LoadSpec spec,
        Duration elapsed,
        long sent,
        long completed,
        long failed,
        long unfinished,
        long incompleteStreams,
        Histogram latency,
        Histogram serviceTime,
        Histogram timeToFirstByte,
        long[] statusCounts,
        long[][] perKey,
        long intendedSpanNanos,
        long runQueueWaitNanos,
        Map<RequestKind, Histogram> latencyByKind) {

    /**
     * The share of the run for which the generator's loop threads, on average, were ready but waited
     * for a CPU; -1 where unknown.
     */
    public double runQueueWaitShare() {
        long span = elapsed.toNanos() * spec.ioThreads();
        return runQueueWaitNanos < 0 || span <= 0 ? -1 : (double) runQueueWaitNanos / span;
    }

    /** Answered requests per second over the run. */
    public double throughput() {
        double s = elapsed.toNanos() / 1e9;
        return s <= 0 ? 0 : completed / s;
    }

    /** Requests by status, only the statuses that occurred; 0 means "no response". */
    public Map<Integer, Long> byStatus() {
        Map<Integer, Long> out = new TreeMap<>();
        for (int s = 0; s < statusCounts.length; s++) {
            if (statusCounts[s] > 0) {
                out.put(s, statusCounts[s]);
            }
        }
        return out;
    }

    /** Requests with a status outside 2xx, plus those without any response. */
    public long errors() {
        long ok = 0;
        for (int s = 200; s < 300; s++) {
            ok += statusCounts[s];
        }
        return completed - ok + failed + unfinished;
    }

    /** Requests by key class and status class. */
    public Map<KeyClass, long[]> byKeyClass() {
        Map<KeyClass, long[]> out = new EnumMap<>(KeyClass.class);
        for (int k = 0; k < perKey.length; k++) {
            long[] into = out.computeIfAbsent(spec.keys().classOf(k), c -> new long[StatusClass.values().length]);
            for (int c = 0; c < into.length; c++) {
                into[c] += perKey[k][c];
            }
        }
        return out;
    }

    /** Answered requests by status class, summed over the registered keys (what the system under test must meter). */
    public long[] registeredByStatusClass() {
        long[] out = new long[StatusClass.values().length];
        for (int k = 0; k < perKey.length; k++) {
            if (spec.keys().classOf(k).registered()) {
                for (int c = 0; c < out.length; c++) {
                    out[c] += perKey[k][c];
                }
            }
        }
        return out;
    }
}
