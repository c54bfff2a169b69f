package ai.dalsi.gateway.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.lettuce.core.RedisException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared limiter (Redis) with this node's own memory behind it: every check goes to Redis; one
 * that fails or is not answered within the Redis limiter's timeout is answered by the local limiter
 * instead, and from then on every check is, until a probe in the background (one
 * {@code PING} every {@code probeInterval}, never one per request) finds Redis answering again.
 * A request is never refused, let alone failed, because Redis is away.
 *
 * <h2>What the fallback allows</h2>
 * While Redis is away each node enforces every limit on its own, from an empty state: a cluster of
 * N nodes allows up to N times each limit during the outage (plus what Redis already counted), and
 * budgets are checked against the ledger's figure, which every node reads on its own. Each check so
 * answered counts in {@code gateway_ratelimit_fallback_total}, and readiness reports the limiter
 * degraded (never not-ready: pulling every node out of the load balancer because Redis blinked would
 * turn a limits problem into an outage). When Redis answers again, checks go back to it; the local
 * state of the outage is kept for requests admitted meanwhile and settles there.
 *
 * <h2>Settlements</h2>
 * A reservation is settled where it was made. One made in Redis whose settlement fails (Redis went
 * away while the request ran) waits in a bounded queue and is replayed when Redis is back, so its
 * reserved tokens and cost do not stay reserved for the rest of the window or month.
 */
public final class FallbackKeyRateLimiter implements KeyRateLimiter, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FallbackKeyRateLimiter.class);
    /** Most settlements held for replay; beyond it the oldest is dropped (its reservation stays reserved). */
    static final int MAX_PENDING_SETTLEMENTS = 100_000;

    /** What to tell when a check falls back, and when the shared state answers again. */
    public interface Listener {
        void fellBack();

        Listener NONE = () -> {
        };
    }

    private record Pending(Reservation reservation, long tokens, BigDecimal cost) {
    }

    private final RedisKeyRateLimiter shared;
    private final KeyRateLimiter local;
    private final Supplier<CompletableFuture<?>> probe;
    private final Listener listener;
    private final ScheduledExecutorService scheduler;
    private final Duration probeInterval;
    private final Cache<Reservation, Boolean> localReservations = Caffeine.newBuilder().weakKeys()
            .executor(Runnable::run).build();
    private final Deque<Pending> pending = new ArrayDeque<>();
    private volatile boolean usingShared = true;
    private volatile String lastError;
    private ScheduledFuture<?> probing;

    /**
     * @param shared        the Redis limiter (its timeout is the per-check timeout)
     * @param local         answers while Redis is away
     * @param probe         asks Redis whether it answers (a {@code PING} with a timeout)
     * @param listener      told of every check answered locally (the metric)
     * @param scheduler     runs the probe
     * @param probeInterval between two probes while Redis is away
     */
    public FallbackKeyRateLimiter(RedisKeyRateLimiter shared, KeyRateLimiter local, Supplier<CompletableFuture<?>> probe,
            Listener listener, ScheduledExecutorService scheduler, Duration probeInterval) {
        this.shared = shared;
        this.local = local;
        this.probe = probe;
        this.listener = listener;
        this.scheduler = scheduler;
        this.probeInterval = probeInterval;
    }

    /** Starts on the local limiter because Redis could not be reached at start; the probe takes over. */
    void startWithoutRedis(Throwable why) {
        giveUp(why);
    }

    /** Whether checks go to Redis right now (false while Redis is away). */
    public boolean usingShared() {
        return usingShared;
    }

    /**
     * Whether the shared state answers right now: false while falling back; otherwise asks Redis
     * (a {@code PING}) and, when it does not answer, falls back at once rather than at the next
     * request. For readiness reports (blocking: never on an event loop).
     */
    public boolean sharedAnswers() {
        if (!usingShared) {
            return false;
        }
        try {
            probe.get().get(Math.max(1, probeInterval.toMillis()), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return usingShared;
        } catch (Exception e) {
            giveUp(e);
            return false;
        }
    }

    /** Why Redis was last given up on (null when it never was). */
    public String lastError() {
        return lastError;
    }

    @Override
    public CompletableFuture<RateLimitDecision> acquire(UUID keyId, RateLimits limits) {
        return call(l -> l.acquire(keyId, limits));
    }

    @Override
    public CompletableFuture<RateLimitDecision> peek(UUID keyId, RateLimits limits) {
        return call(l -> l.peek(keyId, limits));
    }

    @Override
    public CompletableFuture<AdmissionDecision> admit(AdmissionRequest request) {
        if (!usingShared) {
            return admitLocally(request);
        }
        return shared.admit(request).handle((decision, e) -> {
            if (e == null) {
                return CompletableFuture.completedFuture(decision);
            }
            if (!redisFailure(e)) {
                return CompletableFuture.<AdmissionDecision>failedFuture(e);
            }
            giveUp(e);
            return admitLocally(request);
        }).thenCompose(Function.identity());
    }

    /** Admits here; a reservation made here is settled here, whatever Redis does meanwhile. */
    private CompletableFuture<AdmissionDecision> admitLocally(AdmissionRequest request) {
        listener.fellBack();
        return local.admit(request).thenApply(d -> {
            if (d instanceof AdmissionDecision.Allowed a) {
                localReservations.put(a.reservation(), Boolean.TRUE);
            }
            return d;
        });
    }

    @Override
    public CompletableFuture<Void> settle(Reservation reservation, long tokens, BigDecimal cost) {
        if (localReservations.asMap().remove(reservation) != null) {
            return local.settle(reservation, tokens, cost);
        }
        if (!reservation.markSettled()) {
            return CompletableFuture.completedFuture(null);
        }
        if (!usingShared) {
            hold(new Pending(reservation, tokens, cost));
            return CompletableFuture.completedFuture(null);
        }
        return shared.settleMarked(reservation, tokens, cost).handle((v, e) -> {
            if (e != null) {
                if (!redisFailure(e)) {
                    LOG.warn("settling {} failed: {}", reservation, e.toString());
                    return null;
                }
                hold(new Pending(reservation, tokens, cost));
                giveUp(e);
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<TokenStatus> peekTokens(UUID keyId, TokenLimits limits) {
        return call(l -> l.peekTokens(keyId, limits));
    }

    @Override
    public CompletableFuture<BudgetStatus> keyBudget(UUID keyId, BigDecimal budget) {
        return call(l -> l.keyBudget(keyId, budget));
    }

    @Override
    public CompletableFuture<BudgetStatus> userBudget(UUID userId, BigDecimal budget) {
        return call(l -> l.userBudget(userId, budget));
    }

    /**
     * Asks Redis, or the local limiter when Redis is away or does not answer in time. Failures that
     * are not Redis's (the ledger could not be read) pass through as they are.
     */
    private <T> CompletableFuture<T> call(Function<KeyRateLimiter, CompletableFuture<T>> op) {
        if (!usingShared) {
            return locally(op);
        }
        return op.apply(shared).handle((value, e) -> {
            if (e == null) {
                return CompletableFuture.completedFuture(value);
            }
            if (!redisFailure(e)) {
                return CompletableFuture.<T>failedFuture(e);
            }
            giveUp(e);
            return locally(op);
        }).thenCompose(Function.identity());
    }

    private <T> CompletableFuture<T> locally(Function<KeyRateLimiter, CompletableFuture<T>> op) {
        listener.fellBack();
        return op.apply(local);
    }

    /** Whether a failure is Redis being away or slow (rather than the ledger, or a bug). */
    static boolean redisFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RedisUnavailableException || t instanceof RedisException || t instanceof TimeoutException) {
                return true;
            }
            if (!(t instanceof CompletionException || t instanceof ExecutionException)) {
                return false;
            }
        }
        return false;
    }

    private synchronized void giveUp(Throwable e) {
        lastError = rootMessage(e);
        if (!usingShared) {
            return;
        }
        usingShared = false;
        LOG.warn("Redis does not answer limit checks ({}): this node enforces limits on its own until it does",
                lastError);
        probing = scheduler.scheduleWithFixedDelay(this::probeOnce, probeInterval.toNanos(), probeInterval.toNanos(),
                TimeUnit.NANOSECONDS);
    }

    private void probeOnce() {
        try {
            probe.get().get(Math.max(1, probeInterval.toMillis()), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            lastError = rootMessage(e);
            return;
        }
        backToShared();
    }

    private synchronized void backToShared() {
        if (usingShared) {
            return;
        }
        usingShared = true;
        if (probing != null) {
            probing.cancel(false);
            probing = null;
        }
        int replayed = replay();
        LOG.info("Redis answers again: limits are shared by every node again ({} settlement(s) replayed)", replayed);
    }

    private synchronized void hold(Pending p) {
        if (pending.size() >= MAX_PENDING_SETTLEMENTS) {
            Pending dropped = pending.pollFirst();
            LOG.warn("too many settlements waiting for Redis: {} stays reserved", dropped.reservation());
        }
        pending.addLast(p);
    }

    private synchronized int replay() {
        int n = 0;
        for (Pending p; (p = pending.pollFirst()) != null; n++) {
            Pending held = p;
            shared.settleMarked(held.reservation(), held.tokens(), held.cost()).whenComplete((v, e) -> {
                if (e != null && redisFailure(e)) {
                    hold(held);
                    giveUp(e);
                }
            });
        }
        return n;
    }

    /** Settlements waiting for Redis (for tests and diagnostics). */
    synchronized int pendingSettlements() {
        return pending.size();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    @Override
    public synchronized void close() {
        if (probing != null) {
            probing.cancel(false);
        }
    }
}
