package ai.dalsi.metering.ledger;

import ai.dalsi.metering.MeteringConfig;
import ai.dalsi.metering.MeteringMetrics;
import ai.dalsi.metering.UsageEvent;
import ai.dalsi.metering.journal.Journal;
import ai.dalsi.metering.journal.JournalReader;
import ai.dalsi.persistence.DatabaseUnavailableException;
import ai.dalsi.persistence.schema.Routines;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer thread: reads events from the journal in order, batches them (by size or age: a batch is
 * full at {@link MeteringConfig#batchSize()} rows or {@link #maxEvents} events),
 * writes each batch in one transaction ({@link BatchTransaction}) and only then commits the
 * journal up to the batch's end, which lets the journal checkpoint and delete what is behind.
 * The transaction itself records how far this journal is committed, so a batch replayed after a
 * crash (the checkpoint lags the commit) skips what it already wrote.
 *
 * <p>Requests the edge refused itself ({@link UsageEvent#refused()}) are counted rather than
 * stored one row each: the {@link RefusalSampler} keeps the first few per key and minute as
 * example rows, the rest become per-hour counts ({@link RefusalGroups}). It picks among the
 * refusals journaled whole; those the edge journaled as only counted ({@link EventCodec#encodeCounted})
 * are never examples.
 *
 * <p>Failures: a transaction that fails for a reason that may pass (connection lost, server
 * restarting, deadlock, timeout; anything but a data or constraint error) is retried with the same
 * batch, waiting {@code retryBackoffMin} doubling up to {@code retryBackoffMax}; meanwhile the edge
 * keeps journaling and nothing is read beyond the batch. A data or constraint error (SQLSTATE
 * classes 22 and 23) cannot pass by retrying: the batch is split in halves until the events that
 * cause it are alone, and those go to {@link DeadLetters}, so one bad event never blocks the
 * ledger.
 *
 * <p>Shutdown: {@link #drain} stops waiting for batches to fill and writes until the journal is
 * empty or the deadline passes, then the thread ends; what is left stays in the journal for the
 * next start.
 *
 * <p>It also creates the monthly partitions of {@code api_usage_logs}: from last month to three
 * months ahead of its clock at start and daily, and, before writing a batch, the month of any event
 * in it that it has not seen yet ({@code ensure_api_usage_log_months}). So an event older than the
 * oldest partition (a journal replayed after a long outage) lands in its own month, not in the
 * default partition.
 */
final class LedgerWriter {

    private static final Logger log = LoggerFactory.getLogger(LedgerWriter.class);
    private static final long PARTITION_CHECK_MILLIS = TimeUnit.DAYS.toMillis(1);
    private static final long PARTITION_RETRY_MILLIS = TimeUnit.MINUTES.toMillis(1);
    private static final long REPEAT_WARNING_NANOS = TimeUnit.MINUTES.toNanos(1);
    /**
     * How many events a batch may hold per row it may hold ({@link MeteringConfig#batchSize()}),
     * counting the refusals that only add to the counts: those cost the transaction a few bytes of
     * Java work each and no row, while the transaction's own round trips cost the same whatever it
     * holds. So a refusal flood is written in a few transactions a second instead of one per
     * thousand refusals. Not more than five: the events are held in memory until their transaction
     * commits, and sixteen (tried) kept enough of them alive through a refusal flood to grow the
     * heap's old generation by some 90 MiB of resident memory for no further gain.
     */
    static final int EVENTS_PER_ROW = 5;
    /** Most events of any kind in one batch, unless the batch size alone is larger. */
    static final int MAX_EVENTS_PER_BATCH = 20_000;

    private final Journal journal;
    private final JournalReader reader;
    private final DSLContext dsl;
    private final BatchTransaction transaction;
    private final MeteringConfig config;
    private final Clock clock;
    private final MeteringMetrics metrics;
    private final DeadLetters deadLetters;
    private final Thread thread;
    private final long pollNanos;
    private final int maxEvents;

    // Writer thread only.
    private final List<UsageEvent> events = new ArrayList<>();
    private final List<Batch.Kind> kinds = new ArrayList<>();
    private long[] positions = new long[64];
    private final RefusalSampler sampler;
    private final EventCodec.DecodeBuffers buffers = new EventCodec.DecodeBuffers();
    private Batch batch;
    private int batchRecords;
    /** Events of the batch that become rows (every kind but {@link Batch.Kind#COUNT}). */
    private int batchRows;
    private long batchEnd;
    private long firstReadNanos;
    private long nextPartitionCheck;
    private long failingSinceNanos;
    private long lastWarningNanos;
    private long failures;
    /** UTC months whose partition this writer has made sure of. */
    private final Set<YearMonth> partitionedMonths = new HashSet<>();

    // Read by other threads.
    private volatile long oldestJournaledAt = -1;
    private volatile long committedRecords;
    private volatile long retries;
    private volatile String lastError;
    private volatile boolean draining;
    private volatile long drainDeadlineNanos;

    LedgerWriter(Journal journal, DSLContext dsl, BatchTransaction transaction, MeteringConfig config, Clock clock,
                 MeteringMetrics metrics) {
        this.journal = journal;
        this.reader = journal.reader();
        this.dsl = dsl;
        this.transaction = transaction;
        this.config = config;
        this.clock = clock;
        this.metrics = metrics;
        this.deadLetters = new DeadLetters(journal.directory(), clock);
        this.sampler = new RefusalSampler(config.refusalSamplesPerMinute());
        this.pollNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(1),
                Math.min(TimeUnit.MILLISECONDS.toNanos(10), config.flushInterval().toNanos() / 4));
        this.maxEvents = maxEvents(config.batchSize());
        this.thread = Thread.ofPlatform().name("metering-writer").daemon(true).unstarted(this::run);
    }

    /**
     * The most events of one batch: {@value #EVENTS_PER_ROW} per row of the batch size, at most
     * {@value #MAX_EVENTS_PER_BATCH} unless the batch size is larger.
     */
    static int maxEvents(int batchSize) {
        return (int) Math.max(batchSize, Math.min((long) batchSize * EVENTS_PER_ROW, MAX_EVENTS_PER_BATCH));
    }

    void start() {
        thread.start();
    }

    /** Journal records committed to PostgreSQL (or set aside) since start. */
    long committedRecords() {
        return committedRecords;
    }

    /** Journal time of the oldest event read but not committed, or -1. */
    long oldestJournaledAt() {
        return oldestJournaledAt;
    }

    /** Transactions retried since start. */
    long retries() {
        return retries;
    }

    /** Why the last transaction failed, while the writer is failing; null when it succeeds. */
    String lastError() {
        return lastError;
    }

    /**
     * Writes what is journaled without waiting for batches to fill, until nothing is left or the
     * timeout passes, and returns once the thread has ended (or a short grace after the deadline,
     * if a database call outlives it; the thread then ends on its own).
     */
    void drain(Duration timeout) {
        drainDeadlineNanos = System.nanoTime() + timeout.toNanos();
        draining = true;
        LockSupport.unpark(thread);
        try {
            thread.join(timeout.plusSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.warn("metering: the writer is still inside a database call after the drain timeout ({}); closing"
                    + " the journal anyway (unwritten events stay there for the next start)", timeout);
        }
    }

    private void run() {
        try {
            loop();
        } catch (Throwable t) {
            // Nothing is lost: what was not committed stays in the journal for the next start.
            log.error("metering: the writer thread stopped unexpectedly; events keep being journaled", t);
        }
    }

    private boolean deadlinePassed() {
        return draining && System.nanoTime() - drainDeadlineNanos >= 0;
    }

    private void loop() {
        long backoff = config.retryBackoffMin().toNanos();
        maintainPartitions();
        while (!deadlinePassed()) {
            fill();
            if (events.isEmpty()) {
                if (batchRecords > 0) {
                    commit(0); // only records that were set aside: nothing to write
                    continue;
                }
                if (draining && !reader.waitingForAppender()) {
                    return; // everything journaled is committed
                }
                maintainPartitions();
                LockSupport.parkNanos(this, pollNanos);
                continue;
            }
            long age = System.nanoTime() - firstReadNanos;
            if (!draining && !full() && age < config.flushInterval().toNanos()) {
                LockSupport.parkNanos(this, Math.min(pollNanos, config.flushInterval().toNanos() - age));
                continue;
            }
            if (flush()) {
                backoff = config.retryBackoffMin().toNanos();
            } else {
                long wait = backoff;
                if (draining) {
                    wait = Math.min(wait, drainDeadlineNanos - System.nanoTime());
                }
                if (wait > 0) {
                    LockSupport.parkNanos(this, wait);
                }
                backoff = Math.min(backoff * 2, config.retryBackoffMax().toNanos());
            }
        }
    }

    /** Whether the batch holds as many rows, or as many events, as one transaction takes. */
    private boolean full() {
        return batchRows >= config.batchSize() || events.size() >= maxEvents;
    }

    /** Reads records into the batch up to its size; never reads a record it does not keep. */
    private void fill() {
        while (!full()) {
            ByteBuffer payload = reader.poll();
            if (payload == null) {
                return;
            }
            batchRecords++;
            batchEnd = reader.position();
            EventCodec.Journaled j;
            try {
                j = EventCodec.decode(payload, buffers);
            } catch (IllegalArgumentException e) {
                deadLetters.rejectRecord(payload, e.getMessage());
                metrics.rejected(1);
                continue;
            }
            String unstorable = UsageRows.unstorable(j.event());
            if (unstorable != null) {
                deadLetters.reject(j.event(), unstorable);
                metrics.rejected(1);
                continue;
            }
            if (events.isEmpty()) {
                firstReadNanos = System.nanoTime();
                oldestJournaledAt = j.journaledAtMillis();
            }
            UsageEvent e = j.event();
            if (events.size() == positions.length) {
                positions = java.util.Arrays.copyOf(positions, positions.length * 2);
            }
            positions[events.size()] = batchEnd;
            events.add(e);
            Batch.Kind kind = !e.refused() ? Batch.Kind.ROW
                    : !j.countedOnly() && sampler.sample(e) ? Batch.Kind.SAMPLE : Batch.Kind.COUNT;
            kinds.add(kind);
            if (kind != Batch.Kind.COUNT) {
                batchRows++;
            }
            batch = null;
        }
    }

    /** Writes the batch; true when it is committed (or set aside), false when it is to be retried. */
    private boolean flush() {
        if (batch == null) {
            batch = Batch.of(events, kinds, positions, journal.id());
        }
        ensureMonthsOf(events);
        long t0 = System.nanoTime();
        try {
            int inserted = writeIsolating(batch);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            metrics.flushed(events.size(), inserted, took);
            if (failingSinceNanos != 0) {
                log.info("metering: PostgreSQL takes usage again after {} failed attempt(s) over {} s", failures,
                        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - failingSinceNanos));
                failingSinceNanos = 0;
                failures = 0;
                lastError = null;
            }
            commit(events.size());
            return true;
        } catch (RuntimeException e) {
            retries++;
            failures++;
            metrics.retried();
            lastError = DatabaseUnavailableException.rootMessage(e);
            long now = System.nanoTime();
            if (failingSinceNanos == 0) {
                failingSinceNanos = now;
                lastWarningNanos = now;
                log.warn("metering: cannot write usage to PostgreSQL ({}); events stay in the journal and the batch is"
                        + " retried", lastError);
            } else if (now - lastWarningNanos >= REPEAT_WARNING_NANOS) {
                lastWarningNanos = now;
                log.warn("metering: still cannot write usage to PostgreSQL after {} attempt(s) ({}); {} bytes"
                        + " journaled and waiting", failures, lastError, journal.uncommittedBytes());
            }
            return false;
        }
    }

    private int writeIsolating(Batch b) {
        try {
            return transaction.write(dsl, b);
        } catch (RuntimeException e) {
            if (!SqlStates.permanent(e)) {
                throw e;
            }
            if (b.size() == 1) {
                deadLetters.reject(b.events().getFirst(), "SQLSTATE " + SqlStates.of(e) + ": "
                        + DatabaseUnavailableException.rootMessage(e));
                metrics.rejected(1);
                return 0;
            }
            int mid = b.size() / 2;
            return writeIsolating(b.slice(0, mid)) + writeIsolating(b.slice(mid, b.size()));
        }
    }

    private void commit(int written) {
        journal.commit(batchEnd);
        committedRecords += batchRecords;
        batchRecords = 0;
        batchRows = 0;
        events.clear();
        kinds.clear();
        batch = null;
        oldestJournaledAt = -1;
        if (written > 0) {
            maintainPartitions();
        }
    }

    private void maintainPartitions() {
        long now = clock.millis();
        if (now < nextPartitionCheck || failingSinceNanos != 0) {
            return;
        }
        YearMonth month = YearMonth.from(Instant.ofEpochMilli(now).atOffset(ZoneOffset.UTC));
        if (ensureMonths(month.minusMonths(1), month.plusMonths(3))) {
            nextPartitionCheck = now + PARTITION_CHECK_MILLIS;
        } else {
            nextPartitionCheck = now + PARTITION_RETRY_MILLIS;
        }
    }

    /** Makes sure of the partition of each month the batch's events fall in that is not known yet. */
    private void ensureMonthsOf(List<UsageEvent> batchEvents) {
        Set<YearMonth> missing = null;
        UtcMonths months = new UtcMonths();
        for (UsageEvent e : batchEvents) {
            YearMonth m = months.of(e.createdAt());
            if (!partitionedMonths.contains(m)) {
                if (missing == null) {
                    missing = new HashSet<>();
                }
                missing.add(m);
            }
        }
        if (missing != null) {
            // A failure here does not stop the batch: if the database is down the write fails too and
            // both are retried; otherwise the rows go to the default partition, and the month is tried
            // again with the next batch (the function moves them out when it succeeds).
            missing.stream().sorted().forEach(m -> ensureMonths(m, m));
        }
    }

    /** Creates the partitions of the months from first to last; true when they exist now. */
    private boolean ensureMonths(YearMonth first, YearMonth last) {
        try {
            Integer created = Routines.ensureApiUsageLogMonths(dsl.configuration(),
                    first.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant(),
                    last.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant());
            for (YearMonth m = first; !m.isAfter(last); m = m.plusMonths(1)) {
                partitionedMonths.add(m);
            }
            if (created != null && created > 0) {
                log.info("metering: created {} monthly partition(s) of api_usage_logs ({} to {})", created, first,
                        last);
            }
            return true;
        } catch (RuntimeException e) {
            if (failingSinceNanos == 0) { // while the database is failing, flush() already says so
                log.warn("metering: cannot create the monthly partitions of api_usage_logs from {} to {} ({}); rows"
                        + " of those months go to the default partition meanwhile", first, last,
                        DatabaseUnavailableException.rootMessage(e));
            }
            return false;
        }
    }
}
