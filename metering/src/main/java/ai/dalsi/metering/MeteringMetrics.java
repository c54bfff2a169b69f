package ai.dalsi.metering;

import java.time.Duration;

/**
 * What the usage ledger reports about itself, for ops (the gateway implements it with
 * Micrometer; the metering module depends on no metrics library). Gauges are read through
 * {@link MeteringGauges}, handed over once at start; the rest are events, called on the ledger's
 * writer thread except {@link #refused}, which an event loop calls and must therefore be cheap
 * (a counter increment).
 *
 * <p>Suggested Prometheus names: {@code metering_queue_depth}, {@code metering_journal_bytes},
 * {@code metering_journal_near_full}, {@code metering_oldest_uncommitted_seconds},
 * {@code metering_flush_duration_seconds}, {@code metering_events_written_total},
 * {@code metering_retries_total}, {@code metering_events_refused_total{reason}},
 * {@code metering_events_rejected_total}. None carries a key, user or IP.
 */
public interface MeteringMetrics {

    /** Reports nothing. */
    MeteringMetrics NOOP = new MeteringMetrics() {
    };

    /** Called once when the ledger starts; the gauges may be read from any thread at any time after. */
    default void bind(MeteringGauges gauges) {
    }

    /**
     * A batch was committed to PostgreSQL.
     *
     * @param events   events in the batch
     * @param inserted rows actually inserted (fewer when some were already stored: a replay)
     * @param duration time of the transaction, retries not included
     */
    default void flushed(int events, int inserted, Duration duration) {
    }

    /** A transaction failed for a reason that may pass (connection, deadlock, ...) and will be retried. */
    default void retried() {
    }

    /** An event was refused ({@link UsageSink#accept} completed exceptionally); the edge answered 503. */
    default void refused(UsageRefusedException.Reason reason) {
    }

    /**
     * Events PostgreSQL rejected for good (a constraint they break) or that could not be decoded:
     * set aside in the journal directory's {@code rejected-events.jsonl} and logged, never retried.
     */
    default void rejected(int events) {
    }

    /** The numbers the ledger's gauges show. */
    interface MeteringGauges {

        /** Events journaled and not yet committed to PostgreSQL. */
        long queueDepth();

        /** Journal bytes not yet committed to PostgreSQL (the figure the bound applies to). */
        long journalBytes();

        /** The bound on {@link #journalBytes()}. */
        long journalMaxBytes();

        /** Whether {@link #journalBytes()} is at or above the warn ratio of the bound. */
        boolean journalNearFull();

        /** Age of the oldest event not yet committed (zero when none is waiting). */
        Duration oldestUncommittedAge();

        /** Whether the ledger takes events ({@link UsageSink#accepting()}). */
        boolean accepting();
    }
}
