package ai.dalsi.gateway.flags;

import static ai.dalsi.persistence.schema.Tables.FEATURE_FLAGS;

import ai.dalsi.gateway.cluster.KeyChangeListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's {@link FeatureFlags}: loaded at start, reloaded as a whole on every
 * {@code feature_flag_changed} notification (V13; the node's {@link KeyChangeListener} connection
 * delivers them, and asks for a reload after any gap in listening), and polled every
 * {@link #POLL} as a backstop for notifications lost in ways the listener cannot see. Loads run on
 * the cache's own thread, never on an event loop or the listener's thread; notifications that
 * arrive while a load is queued share it. A failed load keeps the previous snapshot and is logged.
 */
public final class FlagCache implements Supplier<FeatureFlags>, KeyChangeListener.Subscriber, AutoCloseable {

    /** The channel the V13 triggers notify. */
    public static final String CHANNEL = "feature_flag_changed";
    /** How often flags are reloaded whatever the notifications say. */
    public static final Duration POLL = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(FlagCache.class);

    private final DSLContext dsl;
    private final ScheduledExecutorService thread;
    private final AtomicBoolean queued = new AtomicBoolean();
    private volatile FeatureFlags current;

    private FlagCache(DSLContext dsl, Duration poll) {
        this.dsl = dsl;
        this.current = load();
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "feature-flags");
            t.setDaemon(true);
            return t;
        });
        long millis = poll.toMillis();
        thread.scheduleWithFixedDelay(this::reloadQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Loads the flags now (blocking; start fails if they cannot be read) and polls every {@link #POLL}. */
    public static FlagCache start(DSLContext dsl) {
        return new FlagCache(dsl, POLL);
    }

    @Override
    public FeatureFlags get() {
        return current;
    }

    @Override
    public void changed(String payload) {
        reloadSoon();
    }

    @Override
    public void resync() {
        reloadSoon();
    }

    /** Queues a reload unless one is queued already. */
    private void reloadSoon() {
        if (queued.compareAndSet(false, true)) {
            try {
                thread.execute(() -> {
                    queued.set(false);
                    reloadQuietly();
                });
            } catch (RejectedExecutionException e) {
                queued.set(false); // closed
            }
        }
    }

    private FeatureFlags load() {
        List<FeatureFlag> flags = dsl.selectFrom(FEATURE_FLAGS).fetch(r -> new FeatureFlag(r.getId(), r.getName(),
                r.getDescription(), r.getIsEnabled(), r.getRolloutPercentage(), r.getCreatedAt(), r.getUpdatedAt()));
        return new FeatureFlags(flags);
    }

    private void reloadQuietly() {
        try {
            current = load();
        } catch (RuntimeException e) {
            LOG.warn("feature flag reload failed, keeping the previous flags: {}", e.toString());
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
