package ai.dalsi.metering.ledger;

import ai.dalsi.metering.MeteringConfig;
import ai.dalsi.metering.MeteringMetrics;
import ai.dalsi.metering.UsageEvent;
import ai.dalsi.metering.UsageRefusedException;
import ai.dalsi.metering.UsageSink;
import ai.dalsi.metering.journal.Journal;
import ai.dalsi.metering.journal.JournalSettings;
import ai.dalsi.metering.journal.JournalUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable {@link UsageSink}: the usage ledger. The edge hands it one event per request; it
 * journals the event on the caller's thread and a writer thread moves journaled events to
 * PostgreSQL in batches. What it guarantees:
 * <ul>
 *   <li><b>No usage lost for any response a client received.</b> The stage returned by
 *       {@link #accept} is complete when the event is in the journal's memory-mapped segment, i.e.
 *       in the operating system's page cache: from then on it survives the gateway process being
 *       killed (SIGKILL, OOM killer, JVM crash). The edge releases a response only after that. A
 *       power loss or kernel crash can take at most what was journaled since the last periodic
 *       force to the device ({@link MeteringConfig#fsyncInterval()}).</li>
 *   <li><b>Never counted twice.</b> The row id is the request id; a batch is written with its key
 *       totals and rollups in one transaction that skips stored ids, and the journal is
 *       checkpointed only after the commit, so a replay (after a crash, or a commit whose answer
 *       was lost) inserts and adds nothing.</li>
 *   <li><b>PostgreSQL down:</b> events keep being journaled and acknowledged; the writer retries
 *       with backoff and catches up when the database answers again.</li>
 *   <li><b>The bound, a deliberate choice:</b> the journal holds at most
 *       {@link MeteringConfig#journalMaxBytes()} of uncommitted events (1 GiB by default, some
 *       millions of requests). Approaching it (the warn ratio, 80% by default) shows in the
 *       {@code journalNearFull} gauge and one WARN line per crossing. At the bound
 *       {@link #accepting()} turns false and {@link #accept} completes exceptionally with
 *       {@link UsageRefusedException} ({@code JOURNAL_FULL}): the edge then answers 503 instead of
 *       serving requests it could not bill. Serving unmetered traffic, or dropping usage, would be
 *       the alternatives; for a paid API both are worse than shedding load while the database is
 *       away for that long.</li>
 *   <li><b>Shutdown:</b> {@link #close()} stops accepting, writes what is journaled to PostgreSQL
 *       for up to {@link MeteringConfig#shutdownDrainTimeout()}, and leaves the rest in the
 *       journal, which the next start replays first.</li>
 * </ul>
 *
 * <p>Why the append happens on the caller's thread: the alternative, handing each event to a
 * journal thread through a queue and completing stages in batches, costs a cross-thread wake-up
 * per burst and a second hop back to the event loop before the response can be released. The
 * append here is one compare-and-set and a copy into mapped memory (no lock, no system call, no
 * file operation; segment files are created ahead by the journal thread), its stage is already
 * complete when returned, and its cost is measured by {@code JournalBenchmark} (see the README).
 */
public final class UsageLedger implements UsageSink, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UsageLedger.class);

    private final MeteringConfig config;
    private final Clock clock;
    private final MeteringMetrics metrics;
    private final Journal journal;
    private final LedgerWriter writer;
    /**
     * What each appending thread reuses: its encoding buffer, and the refusals that may become
     * example rows (the first of each key and minute on that thread, as many as the writer keeps).
     * Those are journaled whole and the writer picks its examples among them ({@link RefusalSampler});
     * every other refusal is journaled as one only counted ({@link EventCodec#encodeCounted}). Each
     * thread lets through at least the examples the writer would pick, since those are the first of
     * their key and minute overall.
     */
    private record Appender(EventCodec.Scratch buffer, RefusalSampler examples) {
    }

    private final ThreadLocal<Appender> appenders;
    private final CompletionStage<Void> done = CompletableFuture.completedStage(null);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Gauges gauges = new Gauges();

    private UsageLedger(MeteringConfig config, Journal journal, DSLContext dsl, BatchTransaction transaction,
                        Clock clock, MeteringMetrics metrics) {
        this.config = config;
        this.clock = clock;
        this.metrics = metrics;
        this.journal = journal;
        this.appenders = ThreadLocal.withInitial(
                () -> new Appender(new EventCodec.Scratch(), new RefusalSampler(config.refusalSamplesPerMinute())));
        this.writer = new LedgerWriter(journal, dsl, transaction, config, clock, metrics);
    }

    /**
     * Opens the journal in {@link MeteringConfig#journalDirectory()} (replaying what the previous
     * run left uncommitted) and starts the writer. PostgreSQL need not be reachable yet.
     *
     * @param dsl     the jOOQ context over the gateway's pool
     * @param clock   the time events are journaled at (for the age gauge and flush by age)
     * @param metrics where to report; {@link MeteringMetrics#NOOP} for none
     * @throws java.io.UncheckedIOException when the journal directory cannot be used (the message names it)
     * @throws IllegalStateException when another process uses the journal directory
     */
    public static UsageLedger start(MeteringConfig config, DSLContext dsl, Clock clock, MeteringMetrics metrics) {
        return start(config, dsl, clock, metrics, BatchTransaction.standard());
    }

    static UsageLedger start(MeteringConfig config, DSLContext dsl, Clock clock, MeteringMetrics metrics,
                             BatchTransaction transaction) {
        Journal journal = Journal.open(new JournalSettings(config.journalDirectory(), (int) config.segmentSize(),
                config.journalMaxBytes(), config.warnRatio(), config.fsyncInterval()));
        UsageLedger ledger = new UsageLedger(config, journal, dsl, transaction, clock, metrics);
        metrics.bind(ledger.gauges);
        ledger.writer.start();
        log.info("metering: journal in {} (bound {} bytes), batches of {} or {} ms", config.journalDirectory()
                .toAbsolutePath(), config.journalMaxBytes(), config.batchSize(), config.flushInterval().toMillis());
        return ledger;
    }

    /**
     * Journals the event without blocking. The stage is normally complete on return; it completes
     * exceptionally with {@link UsageRefusedException} when the event was not taken (journal full,
     * ledger closed, journal unable to store).
     */
    @Override
    public CompletionStage<Void> accept(UsageEvent event) {
        Appender appender = appenders.get();
        EventCodec.Scratch buffer = appender.buffer();
        int length;
        try {
            length = EventCodec.countable(event) && !appender.examples().sample(event)
                    ? EventCodec.encodeCounted(event, clock.millis(), buffer)
                    : EventCodec.encode(event, clock.millis(), buffer);
        } catch (RuntimeException e) {
            return refuse(UsageRefusedException.Reason.UNAVAILABLE, "usage event cannot be encoded: " + e);
        }
        long result = journal.tryAppend(buffer.bytes(), length);
        if (result >= 0) {
            return done;
        }
        if (result == Journal.NO_SEGMENT) {
            // Rare: the next segment is still being prepared. The journal thread appends it soon.
            CompletableFuture<Void> stage = new CompletableFuture<>();
            journal.appendLater(buffer.bytes(), length).whenComplete((position, error) -> {
                if (error == null) {
                    stage.complete(null);
                } else {
                    long code = error instanceof JournalUnavailableException u ? u.code() : Journal.FAILED;
                    UsageRefusedException.Reason reason = reasonOf(code);
                    metrics.refused(reason);
                    stage.completeExceptionally(new UsageRefusedException(reason, JournalUnavailableException.describe(code)));
                }
            });
            return stage;
        }
        return refuse(reasonOf(result), JournalUnavailableException.describe(result));
    }

    private CompletionStage<Void> refuse(UsageRefusedException.Reason reason, String message) {
        metrics.refused(reason);
        return CompletableFuture.failedStage(new UsageRefusedException(reason, message));
    }

    private static UsageRefusedException.Reason reasonOf(long code) {
        if (code == Journal.FULL) {
            return UsageRefusedException.Reason.JOURNAL_FULL;
        }
        if (code == Journal.CLOSED) {
            return UsageRefusedException.Reason.CLOSED;
        }
        return UsageRefusedException.Reason.UNAVAILABLE;
    }

    /** False at the journal's bound, when it cannot store, and after {@link #close()} began. */
    @Override
    public boolean accepting() {
        return journal.accepting();
    }

    /** The ledger's gauges (also handed to {@link MeteringMetrics#bind}). */
    public MeteringMetrics.MeteringGauges gauges() {
        return gauges;
    }

    /** Why writing to PostgreSQL currently fails, for a health endpoint; null while it works. */
    public String lastWriteError() {
        return writer.lastError();
    }

    /** Transactions retried since start. */
    public long retries() {
        return writer.retries();
    }

    /**
     * Stops accepting, writes what is journaled for up to the drain timeout, and closes the journal
     * (forced, checkpointed); anything not written stays there for the next start. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        journal.stopAccepting();
        writer.drain(config.shutdownDrainTimeout());
        journal.close();
        long left = gauges.queueDepth();
        if (left > 0) {
            log.warn("metering: closed with {} event(s) not yet in PostgreSQL; they stay in {} and are written at the"
                    + " next start", left, config.journalDirectory().toAbsolutePath());
        } else {
            log.info("metering: closed; every journaled event is in PostgreSQL");
        }
    }

    private final class Gauges implements MeteringMetrics.MeteringGauges {

        @Override
        public long queueDepth() {
            return Math.max(0, journal.recoveredRecords() + journal.appendedRecords() - journal.tornRecords()
                    - writer.committedRecords());
        }

        @Override
        public long journalBytes() {
            return journal.uncommittedBytes();
        }

        @Override
        public long journalMaxBytes() {
            return journal.maxBytes();
        }

        @Override
        public boolean journalNearFull() {
            return journal.nearFull();
        }

        @Override
        public Duration oldestUncommittedAge() {
            long at = writer.oldestJournaledAt();
            return at < 0 ? Duration.ZERO : Duration.ofMillis(Math.max(0, clock.millis() - at));
        }

        @Override
        public boolean accepting() {
            return journal.accepting();
        }
    }
}
