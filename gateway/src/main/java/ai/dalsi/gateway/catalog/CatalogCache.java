package ai.dalsi.gateway.catalog;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The current {@link Catalog}, loaded once at start (start fails if it cannot be) and reloaded
 * periodically on its own thread, never on an event loop. A failed reload keeps the previous
 * snapshot and is logged.
 */
public final class CatalogCache implements Supplier<Catalog>, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CatalogCache.class);

    private final CatalogLoader loader;
    private final ScheduledExecutorService scheduler;
    private final java.util.concurrent.atomic.AtomicBoolean reloadPending = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile Catalog current;

    private CatalogCache(CatalogLoader loader, Duration refresh) {
        this.loader = loader;
        this.current = loader.load();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "edge-catalog");
            t.setDaemon(true);
            return t;
        });
        long millis = refresh.toMillis();
        scheduler.scheduleWithFixedDelay(this::reloadQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Loads the catalog now (blocking) and keeps reloading it every {@code refresh}. */
    public static CatalogCache start(DSLContext dsl, Duration refresh) {
        return new CatalogCache(new CatalogLoader(dsl), refresh);
    }

    @Override
    public Catalog get() {
        return current;
    }

    /** Reloads now, on the caller's thread (blocking): for admin changes and tests. */
    public void reload() {
        current = loader.load();
    }

    /**
     * Reloads on the cache's own thread, soon (a catalog change was announced): never blocks the
     * caller, and announcements that arrive while a reload waits share it.
     */
    public void reloadSoon() {
        if (reloadPending.compareAndSet(false, true)) {
            scheduler.execute(() -> {
                reloadPending.set(false);
                reloadQuietly();
            });
        }
    }

    private void reloadQuietly() {
        try {
            reload();
        } catch (RuntimeException e) {
            LOG.warn("catalog reload failed, keeping the previous one: {}", e.toString());
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
