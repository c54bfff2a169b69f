package ai.dalsi.gateway.cluster;

import ai.dalsi.gateway.auth.KeyInvalidation;
import ai.dalsi.persistence.DatabaseConfig;
import ai.dalsi.persistence.JdbcUrls;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
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
 *
 * <p>Other caches that follow the database the same way (feature flags, on the V13 channel
 * {@code feature_flag_changed}) share this connection and its reconnect logic through
 * {@link #subscribe}: one LISTEN connection per node, whatever it follows.
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

    /**
     * What follows one channel: told of every notification, and told to resynchronise whenever
     * notifications may have been missed (first connect, reconnect).
     */
    public interface Subscriber {
        /** A notification with this payload arrived. */
        void changed(String payload);

        /** Anything may have changed meanwhile: reload or drop everything. */
        void resync();
    }

    private final DatabaseConfig database;
    private final Map<String, Subscriber> subscribers = new LinkedHashMap<>();
    private final Thread thread;
    private final AtomicLong connects = new AtomicLong();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile boolean listening;

    /**
     * Follows key changes, and catalog changes (V12's {@code catalog_changed}): {@code catalogChanged}
     * reloads the catalog, on every announcement and after every reconnect (called on this
     * listener's thread: must not block).
     */
    public KeyChangeListener(DatabaseConfig database, KeyInvalidation invalidation, Runnable catalogChanged) {
        this(database, invalidation);
        subscribe(CATALOG_CHANNEL, new Subscriber() {
            @Override
            public void changed(String payload) {
                catalogChanged.run();
            }

            @Override
            public void resync() {
                catalogChanged.run();
            }
        });
    }

    public KeyChangeListener(DatabaseConfig database, KeyInvalidation invalidation) {
        this.database = database;
        subscribers.put(CHANNEL, new Subscriber() {
            @Override
            public void changed(String payload) {
                invalidation.invalidate(payload);
            }

            @Override
            public void resync() {
                invalidation.invalidateAll();
            }
        });
        this.thread = new Thread(this::run, "key-change-listener");
        this.thread.setDaemon(true);
    }

    /**
     * Also follows {@code channel} (a plain identifier); only before {@link #start()}.
     *
     * @throws IllegalArgumentException when the channel is not a plain identifier or already followed
     */
    public KeyChangeListener subscribe(String channel, Subscriber subscriber) {
        if (!channel.matches("[a-z_][a-z0-9_]{0,62}") || subscribers.containsKey(channel)) {
            throw new IllegalArgumentException("channel: " + channel);
        }
        if (thread.getState() != Thread.State.NEW) {
            throw new IllegalStateException("subscribe before start");
        }
        subscribers.put(channel, subscriber);
        return this;
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
                        for (String channel : subscribers.keySet()) {
                            s.execute("LISTEN " + channel);
                        }
                    }
                    // Whatever changed while we were not listening is unknown: drop it all (before
                    // reporting that we listen; notifications sent meanwhile wait in the connection).
                    subscribers.values().forEach(Subscriber::resync);
                    listening = true;
                    connects.incrementAndGet();
                    backoffMillis = 100;
                    LOG.info("listening for {} on {}", subscribers.keySet(), JdbcUrls.masked(database.jdbcUrl()));
                    PGConnection pg = c.unwrap(PGConnection.class);
                    while (running) {
                        PGNotification[] notes = pg.getNotifications(POLL_MILLIS);
                        if (notes != null) {
                            for (PGNotification n : notes) {
                                Subscriber to = subscribers.get(n.getName());
                                if (to != null) {
                                    to.changed(n.getParameter());
                                }
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
