package ai.dalsi.metering;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the usage ledger ({@link UsageLedger}): where the journal lives and how large it may
 * grow, how often it reaches the device, and how the writer batches and retries. Validated on
 * construction; a bad value fails with a message naming the setting and what was expected, e.g.
 * {@code "metering.batchSize: 0 (expected: > 0)"}.
 *
 * @param journalDirectory     directory of the journal's segment files and checkpoint; created when
 *                             missing; one ledger (process) at a time may use it
 * @param segmentSize          bytes per segment file (rounded up to a multiple of 4 KiB)
 * @param journalMaxBytes      bound on journaled events not yet committed to PostgreSQL: at the bound
 *                             the ledger refuses events ({@link UsageSink#accepting()} turns false)
 * @param warnRatio            fraction of {@code journalMaxBytes} at which the ledger warns (log line
 *                             and metric) that it is filling up
 * @param fsyncInterval        how often journaled bytes are forced to the device; bounds what a power
 *                             loss (not a process crash, which loses nothing) could take; also how
 *                             often the checkpoint is persisted
 * @param batchSize            most rows per PostgreSQL transaction; a batch also holds at most five
 *                             times as many events, counting the refusals that add to the counts
 *                             without a row, and at most 20,000 unless the batch size is larger
 * @param flushInterval        longest time an event waits for its batch to fill
 * @param retryBackoffMin      first wait after a failed transaction
 * @param retryBackoffMax      longest wait between retries (the wait doubles up to this)
 * @param shutdownDrainTimeout how long {@link UsageLedger#close()} keeps writing to PostgreSQL before
 *                             it leaves the rest in the journal for the next start
 * @param refusalSamplesPerMinute how many requests the edge refused itself (429, 403, ...) get a full
 *                             {@code api_usage_logs} row, per key and minute, as examples; every refusal is
 *                             counted in the rollups and key totals either way; 0 keeps no examples
 */
public record MeteringConfig(
        Path journalDirectory,
        long segmentSize,
        long journalMaxBytes,
        double warnRatio,
        Duration fsyncInterval,
        int batchSize,
        Duration flushInterval,
        Duration retryBackoffMin,
        Duration retryBackoffMax,
        Duration shutdownDrainTimeout,
        int refusalSamplesPerMinute) {

    /** Refusals stored as rows, per key and minute, unless configured otherwise. */
    public static final int DEFAULT_REFUSAL_SAMPLES_PER_MINUTE = 10;

    /** Where the journal goes by default: {@code journal/} under the working directory. */
    public static final Path DEFAULT_JOURNAL_DIRECTORY = Path.of("journal");

    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;
    private static final long GIB = 1024 * MIB;

    /** Smallest segment: smaller ones only multiply files. */
    public static final long MIN_SEGMENT_SIZE = 64 * KIB;

    /** Largest segment: one memory mapping must stay below 2 GiB. */
    public static final long MAX_SEGMENT_SIZE = GIB;

    /** Largest batch: keeps one transaction's locks and memory modest. */
    public static final int MAX_BATCH_SIZE = 100_000;

    public MeteringConfig {
        Objects.requireNonNull(journalDirectory, "metering.journalDirectory: missing (expected: a directory path)");
        if (segmentSize < MIN_SEGMENT_SIZE || segmentSize > MAX_SEGMENT_SIZE) {
            throw new IllegalArgumentException("metering.segmentSize: " + segmentSize + " (expected: "
                    + MIN_SEGMENT_SIZE + ".." + MAX_SEGMENT_SIZE + " bytes)");
        }
        segmentSize = (segmentSize + 4095) / 4096 * 4096;
        if (journalMaxBytes < 2 * segmentSize) {
            throw new IllegalArgumentException("metering.journalMaxBytes: " + journalMaxBytes
                    + " (expected: >= 2 * metering.segmentSize = " + 2 * segmentSize + ")");
        }
        if (!(warnRatio > 0 && warnRatio < 1)) {
            throw new IllegalArgumentException("metering.warnRatio: " + warnRatio + " (expected: > 0 and < 1)");
        }
        positive("metering.fsyncInterval", fsyncInterval);
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("metering.batchSize: " + batchSize
                    + (batchSize < 1 ? " (expected: > 0)" : " (expected: <= " + MAX_BATCH_SIZE + ")"));
        }
        positive("metering.flushInterval", flushInterval);
        positive("metering.retryBackoffMin", retryBackoffMin);
        positive("metering.retryBackoffMax", retryBackoffMax);
        if (retryBackoffMax.compareTo(retryBackoffMin) < 0) {
            throw new IllegalArgumentException("metering.retryBackoffMax: " + retryBackoffMax
                    + " (expected: >= metering.retryBackoffMin = " + retryBackoffMin + ")");
        }
        Objects.requireNonNull(shutdownDrainTimeout, "metering.shutdownDrainTimeout: missing (expected: a duration)");
        if (shutdownDrainTimeout.isNegative()) {
            throw new IllegalArgumentException("metering.shutdownDrainTimeout: " + shutdownDrainTimeout
                    + " (expected: >= 0)");
        }
        if (refusalSamplesPerMinute < 0) {
            throw new IllegalArgumentException("metering.refusalSamplesPerMinute: " + refusalSamplesPerMinute
                    + " (expected: >= 0)");
        }
    }

    /** Settings with the default number of refusal samples. */
    public MeteringConfig(Path journalDirectory, long segmentSize, long journalMaxBytes, double warnRatio,
            Duration fsyncInterval, int batchSize, Duration flushInterval, Duration retryBackoffMin,
            Duration retryBackoffMax, Duration shutdownDrainTimeout) {
        this(journalDirectory, segmentSize, journalMaxBytes, warnRatio, fsyncInterval, batchSize, flushInterval,
                retryBackoffMin, retryBackoffMax, shutdownDrainTimeout, DEFAULT_REFUSAL_SAMPLES_PER_MINUTE);
    }

    private static void positive(String name, Duration d) {
        Objects.requireNonNull(d, name + ": missing (expected: a duration)");
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
    }

    /**
     * Production defaults: journal in {@code journal/}, 64 MiB segments, a 1 GiB bound with a warning
     * at 80%, forced to the device every second, batches of 1,000 events or 200 ms, retries from
     * 100 ms doubling up to 10 s, and 10 s to drain on shutdown.
     */
    public static MeteringConfig defaults() {
        return defaults(DEFAULT_JOURNAL_DIRECTORY);
    }

    /** {@link #defaults()} with the journal in another directory. */
    public static MeteringConfig defaults(Path journalDirectory) {
        return new MeteringConfig(journalDirectory, 16 * MIB, GIB, 0.8, Duration.ofSeconds(1), 1000,
                Duration.ofMillis(200), Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ofSeconds(10));
    }

    /** The same settings with another journal directory. */
    public MeteringConfig withJournalDirectory(Path dir) {
        return new MeteringConfig(dir, segmentSize, journalMaxBytes, warnRatio, fsyncInterval, batchSize,
                flushInterval, retryBackoffMin, retryBackoffMax, shutdownDrainTimeout, refusalSamplesPerMinute);
    }

    /** The same settings with other journal sizes. */
    public MeteringConfig withJournalSizes(long segment, long max) {
        return new MeteringConfig(journalDirectory, segment, max, warnRatio, fsyncInterval, batchSize,
                flushInterval, retryBackoffMin, retryBackoffMax, shutdownDrainTimeout, refusalSamplesPerMinute);
    }

    /** The same settings with another batch size and flush interval. */
    public MeteringConfig withBatching(int size, Duration interval) {
        return new MeteringConfig(journalDirectory, segmentSize, journalMaxBytes, warnRatio, fsyncInterval, size,
                interval, retryBackoffMin, retryBackoffMax, shutdownDrainTimeout, refusalSamplesPerMinute);
    }

    /** The same settings with another retry backoff. */
    public MeteringConfig withRetryBackoff(Duration min, Duration max) {
        return new MeteringConfig(journalDirectory, segmentSize, journalMaxBytes, warnRatio, fsyncInterval, batchSize,
                flushInterval, min, max, shutdownDrainTimeout, refusalSamplesPerMinute);
    }

    /** The same settings with another shutdown drain timeout. */
    public MeteringConfig withShutdownDrainTimeout(Duration timeout) {
        return new MeteringConfig(journalDirectory, segmentSize, journalMaxBytes, warnRatio, fsyncInterval, batchSize,
                flushInterval, retryBackoffMin, retryBackoffMax, timeout, refusalSamplesPerMinute);
    }

    /** The same settings with another number of refusal samples per key and minute. */
    public MeteringConfig withRefusalSamplesPerMinute(int samples) {
        return new MeteringConfig(journalDirectory, segmentSize, journalMaxBytes, warnRatio, fsyncInterval, batchSize,
                flushInterval, retryBackoffMin, retryBackoffMax, shutdownDrainTimeout, samples);
    }

    /** The same settings with another fsync interval. */
    public MeteringConfig withFsyncInterval(Duration interval) {
        return new MeteringConfig(journalDirectory, segmentSize, journalMaxBytes, warnRatio, interval, batchSize,
                flushInterval, retryBackoffMin, retryBackoffMax, shutdownDrainTimeout, refusalSamplesPerMinute);
    }
}
