package ai.dalsi.metering.ledger;

import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.postgresql.PGConnection;

/**
 * The session-local temporary table {@code usage_batch} that batches are staged in with COPY: the
 * columns of {@code api_usage_logs} plus the rollup's {@code model} ('' for none) and {@code hour},
 * computed in Java so that no statement derives them row by row. It empties itself at every commit
 * ({@code ON COMMIT DELETE ROWS}; a rollback removes its rows too) and lives as long as the
 * database session, so it is created once per physical connection, not once per batch: this
 * remembers the connections that have it (weakly, so closed connections are forgotten). Used by one
 * writer thread.
 */
final class StagingTable {

    static final String UNDEFINED_TABLE = "42P01";

    private final Set<PGConnection> ready = Collections.newSetFromMap(new WeakHashMap<>());

    /** Creates the table in this transaction's session unless it was created there before. */
    void ensure(DSLContext tx) {
        PGConnection session = tx.connectionResult(c -> c.unwrap(PGConnection.class));
        if (!ready.contains(session)) {
            tx.execute("CREATE TEMP TABLE IF NOT EXISTS " + CopyInserter.TEMP_TABLE
                    + " (LIKE api_usage_logs INCLUDING DEFAULTS, model text NOT NULL, hour timestamptz NOT NULL)"
                    + " ON COMMIT DELETE ROWS");
            ready.add(session);
        }
    }

    /**
     * Forgets every session when the table was found missing (someone discarded it), so the next
     * attempt creates it again.
     */
    void forgetIfMissing(DataAccessException e) {
        if (UNDEFINED_TABLE.equals(e.sqlState())) {
            ready.clear();
        }
    }
}
