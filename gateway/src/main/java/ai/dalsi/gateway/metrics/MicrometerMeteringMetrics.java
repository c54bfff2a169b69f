package ai.dalsi.gateway.metrics;

import ai.dalsi.metering.MeteringMetrics;
import ai.dalsi.metering.UsageRefusedException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * The metering ledger's {@link MeteringMetrics} on Micrometer:
 * <ul>
 *   <li>{@code metering_queue_depth}: events journaled and not yet in PostgreSQL</li>
 *   <li>{@code metering_journal_bytes}, {@code metering_journal_max_bytes}, {@code metering_journal_near_full}
 *       (1 at the warn ratio of the bound)</li>
 *   <li>{@code metering_oldest_uncommitted_seconds}: age of the oldest event not yet committed</li>
 *   <li>{@code metering_accepting}: 1 while the ledger takes events</li>
 *   <li>{@code metering_flush_duration_seconds}: one batch transaction (histogram)</li>
 *   <li>{@code metering_events_written_total}: rows inserted; {@code metering_events_already_stored_total}:
 *       events of a replayed batch that were already there (inserted nothing)</li>
 *   <li>{@code metering_retries_total}: transactions retried after a passing failure</li>
 *   <li>{@code metering_events_refused_total{reason}}: events the ledger did not take (the edge answered 503)</li>
 *   <li>{@code metering_events_rejected_total}: events PostgreSQL refused for good, set aside in the journal directory</li>
 * </ul>
 * No tag carries a key, user or IP. {@link #refused} runs on event loops: a counter increment.
 */
final class MicrometerMeteringMetrics implements MeteringMetrics {

    private static final Duration[] BUCKETS = {
            Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30)};

    private final MeterRegistry registry;
    private final Timer flush;
    private final Counter written;
    private final Counter alreadyStored;
    private final Counter retries;
    private final Counter rejected;
    private final Map<UsageRefusedException.Reason, Counter> refused = new EnumMap<>(UsageRefusedException.Reason.class);

    MicrometerMeteringMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.flush = Timer.builder("metering.flush.duration")
                .description("Time of one batch transaction to PostgreSQL (rows, key totals, rollups)")
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
        this.written = Counter.builder("metering.events.written")
                .description("Usage rows inserted into PostgreSQL")
                .register(registry);
        this.alreadyStored = Counter.builder("metering.events.already.stored")
                .description("Events of replayed batches that were already in PostgreSQL (inserted nothing)")
                .register(registry);
        this.retries = Counter.builder("metering.retries")
                .description("Batch transactions retried after a failure that may pass")
                .register(registry);
        this.rejected = Counter.builder("metering.events.rejected")
                .description("Events PostgreSQL refused for good, set aside in rejected-events.jsonl")
                .register(registry);
        for (UsageRefusedException.Reason reason : UsageRefusedException.Reason.values()) {
            refused.put(reason, Counter.builder("metering.events.refused")
                    .description("Usage events the ledger did not take; the request was answered 503")
                    .tag("reason", reason.name().toLowerCase(java.util.Locale.ROOT))
                    .register(registry));
        }
    }

    @Override
    public void bind(MeteringGauges gauges) {
        Gauge.builder("metering.queue.depth", gauges, g -> g.queueDepth())
                .description("Usage events journaled and not yet committed to PostgreSQL")
                .strongReference(true).register(registry);
        Gauge.builder("metering.journal.bytes", gauges, g -> g.journalBytes())
                .description("Journal bytes not yet committed to PostgreSQL").baseUnit("bytes")
                .strongReference(true).register(registry);
        Gauge.builder("metering.journal.max.bytes", gauges, g -> g.journalMaxBytes())
                .description("Bound on the uncommitted journal; at it the gateway answers 503").baseUnit("bytes")
                .strongReference(true).register(registry);
        Gauge.builder("metering.journal.near.full", gauges, g -> g.journalNearFull() ? 1 : 0)
                .description("1 when the uncommitted journal is past the warn ratio of its bound")
                .strongReference(true).register(registry);
        Gauge.builder("metering.oldest.uncommitted", gauges, g -> g.oldestUncommittedAge().toNanos() / 1e9)
                .description("Age of the oldest usage event not yet committed to PostgreSQL").baseUnit("seconds")
                .strongReference(true).register(registry);
        Gauge.builder("metering.accepting", gauges, g -> g.accepting() ? 1 : 0)
                .description("1 while the ledger takes usage events")
                .strongReference(true).register(registry);
    }

    @Override
    public void flushed(int events, int inserted, Duration duration) {
        flush.record(duration);
        written.increment(inserted);
        if (events > inserted) {
            alreadyStored.increment(events - inserted);
        }
    }

    @Override
    public void retried() {
        retries.increment();
    }

    @Override
    public void refused(UsageRefusedException.Reason reason) {
        refused.get(reason).increment();
    }

    @Override
    public void rejected(int events) {
        rejected.increment(events);
    }
}
