package ai.dalsi.gateway.webhooks;

import ai.dalsi.gateway.config.Durations;
import ai.dalsi.gateway.config.WebhooksConfig;
import ai.dalsi.persistence.webhooks.WebhookDeliveries;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook side of one node: the target rules the admin API checks URLs with, the outbox gauges,
 * and, when {@code webhooks.signingSecret} is set, the {@link WebhookSender} delivering due events.
 * One thread of its own polls every {@code webhooks.pollInterval}: it refreshes the gauges and hands
 * due events to the sender's workers. Without a secret nothing is sent (an unsigned webhook could
 * not be trusted): events stay in the outbox, the queue gauges show them, and they go out once a
 * node with a secret runs.
 */
public final class Webhooks implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Webhooks.class);

    private final WebhookTargets targets;
    private final WebhookDeliveries deliveries;
    private final WebhookMetrics metrics;
    private final WebhookHttpClient http;
    private final WebhookSender sender;
    private volatile boolean failing;
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "webhook-poll");
        t.setDaemon(true);
        return t;
    });

    private Webhooks(WebhooksConfig config, DSLContext dsl, MeterRegistry registry, Clock clock,
            WebhookTargets.Resolver resolver, String node) {
        this.targets = WebhookTargets.of(config, resolver);
        this.deliveries = new WebhookDeliveries(dsl);
        this.metrics = new WebhookMetrics(registry, clock);
        if (config.signingEnabled()) {
            this.http = new WebhookHttpClient(config.connectTimeout(), config.readTimeout());
            this.sender = new WebhookSender(deliveries, targets, new WebhookSigner(config.signingKey()), http,
                    RetryPolicy.of(config), metrics, clock, node, config.leaseDuration(), config.concurrency(),
                    config.connectTimeout().plus(config.readTimeout()), this::wake);
        } else {
            this.http = null;
            this.sender = null;
            LOG.warn("webhooks.signingSecret is not set: webhook events are kept in the outbox and sent once a node"
                    + " with a secret runs (set GATEWAY_WEBHOOKS_SIGNING_SECRET)");
        }
        poller.scheduleWithFixedDelay(this::pollSafely, 0, config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("webhooks: {}, {}{}, up to {} attempts, {} in flight per node, node {}",
                sender == null ? "not sending (no signing secret)" : "sending",
                config.allowHttp() ? "http and https" : "https only",
                config.allowPrivateTargets() ? ", private targets ALLOWED" : ", public addresses only",
                config.maxAttempts(), config.concurrency(), node);
        LOG.debug("webhook retry backoff {} doubling to {}", Durations.format(config.retryBackoffMin()),
                Durations.format(config.retryBackoffMax()));
    }

    /** Starts this node's webhooks with the system resolver, named after the process ({@code pid@host}). */
    public static Webhooks start(WebhooksConfig config, DSLContext dsl, MeterRegistry registry, Clock clock) {
        return start(config, dsl, registry, clock, WebhookTargets.Resolver.SYSTEM,
                ManagementFactory.getRuntimeMXBean().getName());
    }

    /** {@link #start(WebhooksConfig, DSLContext, MeterRegistry, Clock)} with a resolver and node name of its own. */
    public static Webhooks start(WebhooksConfig config, DSLContext dsl, MeterRegistry registry, Clock clock,
            WebhookTargets.Resolver resolver, String node) {
        return new Webhooks(config, dsl, registry, clock, resolver, node);
    }

    /** The rules {@code webhook_url} values are checked against when saved. */
    public WebhookTargets targets() {
        return targets;
    }

    /** Whether this node delivers (a signing secret is set). */
    public boolean sending() {
        return sender != null;
    }

    private void pollSafely() {
        try {
            metrics.queue(deliveries.stats());
            if (sender != null) {
                sender.poll();
            }
            if (failing) {
                failing = false;
                LOG.info("webhook poll works again");
            }
        } catch (RuntimeException e) {
            // The next poll retries; a database outage must not end the schedule, nor log every second.
            if (!failing) {
                failing = true;
                LOG.warn("webhook poll failed, retrying every interval (logged again when it works): {}",
                        e.getMessage());
            } else {
                LOG.debug("webhook poll failed again: {}", e.getMessage());
            }
        }
    }

    /** A worker freed its slot while events were waiting: claim more now rather than at the next interval. */
    private void wake() {
        try {
            poller.execute(() -> {
                try {
                    sender.poll();
                } catch (RuntimeException e) {
                    LOG.warn("webhook poll failed, retrying at the next interval: {}", e.getMessage());
                }
            });
        } catch (RejectedExecutionException e) {
            // stopping
        }
    }

    /** Stops polling, lets attempts in flight finish within their timeouts, then closes the client. */
    @Override
    public void close() {
        poller.shutdownNow();
        try {
            poller.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (sender != null) {
            sender.close();
        }
        if (http != null) {
            http.close();
        }
    }
}
