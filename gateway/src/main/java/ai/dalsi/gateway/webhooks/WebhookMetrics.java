package ai.dalsi.gateway.webhooks;

import ai.dalsi.persistence.webhooks.WebhookDeliveries;
import ai.dalsi.persistence.webhooks.WebhookDeliveries.Outcome;
import ai.dalsi.persistence.webhooks.WebhookDeliveries.QueueStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The webhook meters:
 * <ul>
 *   <li>{@code gateway_webhook_attempts_total{result}}: attempts by outcome ({@code delivered},
 *       {@code http_error}, {@code network_error}, {@code timeout}, {@code refused_target})</li>
 *   <li>{@code gateway_webhook_deliveries_total{outcome}}: events finished, {@code delivered} or
 *       {@code failed} (every attempt used)</li>
 *   <li>{@code gateway_webhook_attempt_duration_seconds}: one attempt, connect to status line (histogram)</li>
 *   <li>{@code gateway_webhook_queue_depth}: events waiting to be delivered (the whole outbox, so
 *       every node reports the same number)</li>
 *   <li>{@code gateway_webhook_oldest_pending_seconds}: age of the oldest of them</li>
 *   <li>{@code gateway_webhook_overdue_seconds}: how long the most overdue event has been due; stays
 *       near 0 while some node delivers, grows when none does</li>
 * </ul>
 * Every counter exists from the start at 0, so rates and alert rules have series to work on. The
 * gauges read the last {@link QueueStats} a node fetched; no scrape runs SQL.
 */
final class WebhookMetrics {

    private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(30)};

    private final Map<Outcome, Counter> attempts = new EnumMap<>(Outcome.class);
    private final Counter delivered;
    private final Counter failed;
    private final Timer duration;
    private final AtomicReference<QueueStats> stats = new AtomicReference<>(new QueueStats(0, null, null));
    private final Clock clock;

    WebhookMetrics(MeterRegistry registry, Clock clock) {
        this.clock = clock;
        for (Outcome o : Outcome.values()) {
            attempts.put(o, Counter.builder("gateway.webhook.attempts")
                    .description("Webhook delivery attempts, by result")
                    .tag("result", o.dbValue())
                    .register(registry));
        }
        this.delivered = deliveries(registry, "delivered");
        this.failed = deliveries(registry, "failed");
        this.duration = Timer.builder("gateway.webhook.attempt.duration")
                .description("One webhook delivery attempt, from connecting to the receiver's status line")
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
        Gauge.builder("gateway.webhook.queue.depth", stats, s -> s.get().pending())
                .description("Webhook events waiting to be delivered (the whole outbox)")
                .register(registry);
        Gauge.builder("gateway.webhook.oldest.pending", stats, s -> secondsSince(s.get().oldestPendingCreatedAt()))
                .description("Age of the oldest webhook event not yet delivered")
                .baseUnit("seconds")
                .register(registry);
        Gauge.builder("gateway.webhook.overdue", stats, s -> secondsSince(s.get().earliestDueAt()))
                .description("How long the most overdue webhook event has been due for an attempt")
                .baseUnit("seconds")
                .register(registry);
    }

    private static Counter deliveries(MeterRegistry registry, String outcome) {
        return Counter.builder("gateway.webhook.deliveries")
                .description("Webhook events finished: delivered, or failed after every attempt")
                .tag("outcome", outcome)
                .register(registry);
    }

    private double secondsSince(Instant at) {
        if (at == null) {
            return 0;
        }
        return Math.max(0, Duration.between(at, clock.instant()).toMillis() / 1000.0);
    }

    void attempted(Outcome outcome, long nanos) {
        attempts.get(outcome).increment();
        duration.record(nanos, TimeUnit.NANOSECONDS);
    }

    void finished(boolean wasDelivered) {
        (wasDelivered ? delivered : failed).increment();
    }

    void queue(WebhookDeliveries.QueueStats now) {
        stats.set(now);
    }
}
