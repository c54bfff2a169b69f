package ai.dalsi.gateway.webhooks;

import ai.dalsi.persistence.webhooks.WebhookDeliveries;
import ai.dalsi.persistence.webhooks.WebhookDeliveries.Attempt;
import ai.dalsi.persistence.webhooks.WebhookDeliveries.Claimed;
import ai.dalsi.persistence.webhooks.WebhookDeliveries.Outcome;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers due outbox events from this node: {@link #poll()} claims as many as it has free worker
 * threads (a lease per event, see {@link WebhookDeliveries}), and each worker resolves and checks the
 * target, signs, POSTs and records the attempt with the next state (delivered, retry at a time from
 * the {@link RetryPolicy}, or failed for good). The workers are threads of their own: no request
 * and no event loop ever waits for a webhook.
 *
 * <p>Logs name the event, its type, the key and the receiver's host, never the whole URL (a
 * receiver's URL often carries a secret token in its path) and never the signing secret.
 */
final class WebhookSender implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);

    private final WebhookDeliveries deliveries;
    private final WebhookTargets targets;
    private final WebhookSigner signer;
    private final WebhookHttpClient http;
    private final RetryPolicy retry;
    private final WebhookMetrics metrics;
    private final Clock clock;
    private final String node;
    private final Duration lease;
    private final Duration drain;
    private final Semaphore slots;
    private final ExecutorService workers;
    private final Runnable wake;
    private volatile boolean backlog;
    private volatile boolean stopping;

    WebhookSender(WebhookDeliveries deliveries, WebhookTargets targets, WebhookSigner signer, WebhookHttpClient http,
            RetryPolicy retry, WebhookMetrics metrics, Clock clock, String node, Duration lease, int concurrency,
            Duration drain, Runnable wake) {
        this.deliveries = deliveries;
        this.targets = targets;
        this.signer = signer;
        this.http = http;
        this.retry = retry;
        this.metrics = metrics;
        this.clock = clock;
        this.node = node;
        this.lease = lease;
        this.drain = drain;
        this.wake = wake;
        this.slots = new Semaphore(concurrency);
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "webhook-sender-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Claims due events for the free workers and hands them over; returns how many it claimed. When
     * every free worker got one, more may be due: each worker that finishes then calls {@code wake}
     * (another poll) instead of leaving its slot idle until the next interval.
     */
    int poll() {
        int claimedTotal = 0;
        while (!stopping) {
            int free = slots.availablePermits();
            if (free == 0) {
                break;
            }
            List<Claimed> claimed = deliveries.claim(node, free, clock.instant(), lease);
            for (Claimed c : claimed) {
                // Only this thread takes permits, so the ones counted above are still there.
                slots.acquireUninterruptibly();
                try {
                    workers.execute(() -> {
                        try {
                            deliver(c);
                        } finally {
                            slots.release();
                            if (backlog && !stopping) {
                                wake.run();
                            }
                        }
                    });
                } catch (RejectedExecutionException e) {
                    slots.release();
                    deliveries.release(c);
                }
            }
            claimedTotal += claimed.size();
            backlog = claimed.size() == free;
            if (!backlog) {
                break;
            }
        }
        return claimedTotal;
    }

    /** One attempt at one claimed event, recorded whatever happens. */
    void deliver(Claimed c) {
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        Outcome outcome;
        Integer status = null;
        String error = null;
        boolean retryable = true;
        String host = "-";
        if (c.webhookUrl() == null) {
            outcome = Outcome.REFUSED_TARGET;
            error = "the key has no webhook_url any more";
            retryable = false;
        } else {
            host = hostOf(c.webhookUrl());
            switch (targets.resolve(c.webhookUrl())) {
                case WebhookTargets.Blocked b -> {
                    outcome = Outcome.REFUSED_TARGET;
                    error = "refused: " + b.reason();
                }
                case WebhookTargets.Unresolvable u -> {
                    outcome = Outcome.NETWORK_ERROR;
                    error = u.reason();
                }
                case WebhookTargets.Reachable r -> {
                    byte[] body = WebhookPayload.bytes(c.id(), c.type(), c.createdAt(), c.dataJson());
                    var headers = signer.headers(c.id().toString(), clock.instant().getEpochSecond(), body);
                    switch (http.post(r, headers, body)) {
                        case WebhookHttpClient.Answered a -> {
                            status = a.status();
                            if (a.status() >= 200 && a.status() < 300) {
                                outcome = Outcome.DELIVERED;
                            } else {
                                outcome = Outcome.HTTP_ERROR;
                                error = "HTTP " + a.status();
                            }
                        }
                        case WebhookHttpClient.Failed f -> {
                            outcome = f.timeout() ? Outcome.TIMEOUT : Outcome.NETWORK_ERROR;
                            error = f.message();
                        }
                    }
                }
            }
        }
        long nanos = System.nanoTime() - t0;
        Instant finished = started.plusNanos(nanos);
        Instant retryAt = outcome == Outcome.DELIVERED || !retryable ? null : retry.retryAt(c.attempt(), finished);
        metrics.attempted(outcome, nanos);
        boolean held;
        try {
            held = deliveries.record(c, new Attempt(c.attemptNumber(), node, started,
                    (int) Math.min(Integer.MAX_VALUE, nanos / 1_000_000), outcome, status, error), retryAt);
        } catch (RuntimeException e) {
            // The lease runs out and the event is tried again: at least once, perhaps twice.
            LOG.warn("webhook {} {} for key {}: cannot record attempt {} ({}): {}", c.type(), c.id(), c.apiKeyId(),
                    c.attempt(), outcome.dbValue(), e.getMessage());
            return;
        }
        if (outcome == Outcome.DELIVERED) {
            LOG.debug("webhook {} {} for key {} delivered to {} (attempt {}, HTTP {})", c.type(), c.id(),
                    c.apiKeyId(), host, c.attempt(), status);
        } else if (retryAt != null) {
            LOG.info("webhook {} {} for key {} to {}: attempt {} failed ({}); next attempt at {}", c.type(), c.id(),
                    c.apiKeyId(), host, c.attempt(), error, retryAt);
        } else {
            LOG.warn("webhook {} {} for key {} to {}: attempt {} failed ({}); giving up, an admin can redeliver it",
                    c.type(), c.id(), c.apiKeyId(), host, c.attempt(), error);
        }
        if (held && retryAt == null) {
            metrics.finished(outcome == Outcome.DELIVERED);
        }
    }

    private static String hostOf(String url) {
        try {
            String h = URI.create(url).getHost();
            return h == null ? "?" : h;
        } catch (IllegalArgumentException e) {
            return "?";
        }
    }

    /** Stops taking events; attempts in flight get {@code drain} (their timeouts) to finish. */
    @Override
    public void close() {
        stopping = true;
        workers.shutdown();
        try {
            if (!workers.awaitTermination(drain.toMillis(), TimeUnit.MILLISECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
