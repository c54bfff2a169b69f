package ai.dalsi.gateway.cluster;

import ai.dalsi.gateway.auth.KeyInvalidation;
import ai.dalsi.persistence.DatabaseConfig;
import ai.dalsi.persistence.JdbcUrls;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's key cache and catalog in step with the database: {@code LISTEN api_key_changed}
 * and {@code LISTEN catalog_changed} on one dedicated connection (not from the pool: it is held for
 * the life of the node). For every key notification (payload: the key's hex SHA-256, sent by the V4
 * triggers) it calls {@link KeyInvalidation#invalidate}; for catalog notifications (products or
 * models changed, V12 triggers) it runs the catalog's reload, once per batch of notifications. Runs
 * on a thread of its own, waiting in {@link PGConnection#getNotifications(int)}.
 *
 * <p>When the connection is lost, notifications sent meanwhile are lost with it: the listener
 * reconnects with backoff (100 ms doubling to {@link #MAX_BACKOFF}) and, once listening again,
 * calls {@link KeyInvalidation#invalidateAll()} and reloads the catalog, so nothing stale survives
 * the gap. It does the
 * same on its first connect, for changes made while the node was starting. The cache's own
 * refresh remains the safety net for anything else.
 */
public final class KeyChangeListener implements AutoCloseable {

    /** The channel the V4 triggers notify. */
    public static final String CHANNEL = "api_key_changed";
    /** The channel the V12 triggers notify when products or models change. */
    public static final String CATALOG_CHANNEL = "catalog_changed";
    /** Longest wait between reconnect attempts. */
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** The session's application_name, so operators can tell the connection apart. */
    public static final String APPLICATION_NAME = "dalsi-gateway-key-listener";

    private static final Logger LOG = LoggerFactory.getLogger(KeyChangeListener.class);
    private static final int POLL_MILLIS = 500;

    private final DatabaseConfig database;
    private final KeyInvalidation invalidation;
    private final Runnable catalogChanged;
    private final Thread thread;
    private final AtomicLong connects = new AtomicLong();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile boolean listening;

    public KeyChangeListener(DatabaseConfig database, KeyInvalidation invalidation) {
        this(database, invalidation, () -> {
        });
    }

    /** @param catalogChanged reloads the catalog (called on this listener's thread: must not block long) */
    public KeyChangeListener(DatabaseConfig database, KeyInvalidation invalidation, Runnable catalogChanged) {
        this.database = database;
        this.invalidation = invalidation;
        this.catalogChanged = catalogChanged;
        this.thread = new Thread(this::run, "key-change-listener");
        this.thread.setDaemon(true);
    }

    public KeyChangeListener start() {
        thread.start();
        return this;
    }

    /** Whether a LISTEN is in place right now (for readiness reports and tests). */
    public boolean listening() {
        return listening;
    }

    /** How many times a LISTEN was established (1 after start; more after reconnects). */
    public long connects() {
        return connects.get();
    }

    private void run() {
        long backoffMillis = 100;
        try {
            while (running) {
                try (Connection c = connect()) {
                    try (Statement s = c.createStatement()) {
                        s.execute("LISTEN " + CHANNEL);
                        s.execute("LISTEN " + CATALOG_CHANNEL);
                    }
                    listening = true;
                    connects.incrementAndGet();
                    backoffMillis = 100;
                    // Whatever changed while we were not listening is unknown: drop it all.
                    invalidation.invalidateAll();
                    catalogChanged.run();
                    LOG.info("listening for key changes on {}", JdbcUrls.masked(database.jdbcUrl()));
                    PGConnection pg = c.unwrap(PGConnection.class);
                    while (running) {
                        PGNotification[] notes = pg.getNotifications(POLL_MILLIS);
                        if (notes != null) {
                            boolean catalog = false;
                            for (PGNotification n : notes) {
                                if (CATALOG_CHANNEL.equals(n.getName())) {
                                    catalog = true;
                                } else {
                                    invalidation.invalidate(n.getParameter());
                                }
                            }
                            if (catalog) {
                                catalogChanged.run();
                            }
                        }
                    }
                } catch (SQLException | RuntimeException e) {
                    listening = false;
                    if (!running) {
                        break;
                    }
                    LOG.warn("key change listener lost its connection ({}); reconnecting in {} ms",
                            oneLine(e.getMessage()), backoffMillis);
                    if (stopped.await(backoffMillis, TimeUnit.MILLISECONDS)) {
                        break;
                    }
                    backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF.toMillis());
                } finally {
                    listening = false;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", database.user());
        p.setProperty("password", database.password());
        p.setProperty("ApplicationName", APPLICATION_NAME);
        p.setProperty("connectTimeout", Long.toString(Math.max(1, database.connectionTimeout().toSeconds())));
        // A dead peer must not leave the listener waiting forever on a half-open socket.
        p.setProperty("tcpKeepAlive", "true");
        return DriverManager.getConnection(database.jdbcUrl(), p);
    }

    private static String oneLine(String s) {
        return s == null ? "no message" : s.replaceAll("\\s+", " ").strip();
    }

    /**
     * Stops listening; the thread notices within one poll ({@value #POLL_MILLIS} ms) and closes
     * its connection itself (a JDBC connection is not shared between threads).
     */
    @Override
    public void close() {
        running = false;
        stopped.countDown();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
