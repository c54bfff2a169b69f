package ai.dalsi.metering.ledger;

import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import org.jooq.DSLContext;
import org.postgresql.PGConnection;

/**
 * The session-local temporary table {@code usage_batch} that batches are staged in with COPY: the
 * columns of {@code api_usage_logs} plus the rollup's {@code model} ('' for none) and {@code hour},
 * computed in Java so that no statement derives them row by row, and {@code weight} (how many
 * requests the line adds to the key totals and rollups: 1 for a row, 0 for a refusal's example
 * row, n for a group of refusals) and {@code grouped} (a group of refusals, not a row to insert).
 * Its {@code ip_address} is {@code text}, read as {@code inet} where it is inserted
 * ({@link CopyInserter#stagedInet}); the lines come in binary COPY ({@link CopyBinary}). It empties
 * itself at every commit ({@code ON COMMIT DELETE ROWS}; a rollback removes its rows too) and lives
 * as long as the database session, so it is created once per physical connection rather than once
 * per batch.
 *
 * <p>Creating it is transactional like any DDL: a batch transaction that creates it and then rolls
 * back takes it away again. So a session counts as having the table only once a transaction that
 * created it committed ({@link #committed()}). The sessions are remembered weakly: closed
 * connections are forgotten. Used by one writer thread.
 */
final class StagingTable {

    private final Set<PGConnection> ready = Collections.newSetFromMap(new WeakHashMap<>());
    private PGConnection creating;

    /** Creates the table in this transaction's session unless a committed transaction did before. */
    void ensure(DSLContext tx) {
        PGConnection session = tx.connectionResult(c -> c.unwrap(PGConnection.class));
        if (!ready.contains(session)) {
            tx.execute("CREATE TEMP TABLE IF NOT EXISTS " + CopyInserter.TEMP_TABLE
                    + " (LIKE api_usage_logs INCLUDING DEFAULTS, model text NOT NULL, hour timestamptz NOT NULL,"
                    + " weight bigint NOT NULL, grouped boolean NOT NULL)"
                    + " ON COMMIT DELETE ROWS");
            // Addresses are staged as text and read as inet where they are inserted: PostgreSQL then
            // reads each exactly as it always did, with no second parser of addresses in the writer.
            tx.execute("ALTER TABLE " + CopyInserter.TEMP_TABLE + " ALTER COLUMN ip_address TYPE text");
            creating = session;
        }
    }

    /** The transaction that called {@link #ensure} committed. */
    void committed() {
        if (creating != null) {
            ready.add(creating);
            creating = null;
        }
    }

    /** The transaction that called {@link #ensure} rolled back. */
    void rolledBack(Throwable cause) {
        creating = null;
        if (SqlStates.UNDEFINED_TABLE.equals(SqlStates.of(cause))) {
            ready.clear(); // someone discarded it (DISCARD TEMP): create it again everywhere
        }
    }
}
