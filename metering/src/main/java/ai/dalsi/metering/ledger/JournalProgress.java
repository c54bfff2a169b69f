package ai.dalsi.metering.ledger;

import static ai.dalsi.persistence.schema.Tables.LEDGER_JOURNALS;

import ai.dalsi.persistence.jooq.RenderedQuery;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.Query;
import org.jooq.ResultQuery;
import org.jooq.impl.DSL;

/**
 * How far each journal is committed to PostgreSQL ({@code ledger_journals}), kept by the batch
 * transactions themselves: what makes a replay exact for refusals, which are counted and have no
 * row id to conflict on. A transaction reads its journal's committed position under a row lock,
 * writes only the events journaled after it, and sets it to the batch's end before it commits.
 * The journal's own checkpoint is persisted after the commit and may lag behind (a crash between
 * the two), so after a restart the writer may read records again; they are at or before the
 * committed position and are skipped, whatever the boundaries of the batches they come in. (The
 * other way, a table of every counted request's id, is a row per refusal again: what counting is
 * there to avoid.)
 */
final class JournalProgress {

    private static final RenderedQuery COMMITTED_FOR_UPDATE = RenderedQuery.of(JournalProgress::committedForUpdateQuery);
    /** Binds {@link #committedBinds}. */
    static final RenderedQuery COMMITTED = RenderedQuery.of(JournalProgress::committedQuery);

    private JournalProgress() {
    }

    /**
     * The events of the batch journaled after this journal's committed position; the whole batch
     * when it has no journal or nothing was committed yet. Locks the journal's row until the end of
     * the transaction (only its one writer ever takes it).
     */
    static Batch uncommitted(DSLContext tx, Batch batch) {
        if (batch.journal() == null) {
            return batch;
        }
        List<Long> committed = COMMITTED_FOR_UPDATE.fetch(tx, rs -> rs.getLong(1), batch.journal());
        return committed.isEmpty() ? batch : batch.after(committed.get(0));
    }

    /** Records that this journal is committed up to the batch's end; nothing for a batch without one. */
    static void committed(DSLContext tx, Batch batch) {
        if (batch.journal() != null) {
            COMMITTED.execute(tx, committedBinds(batch));
        }
    }

    /** The bind values of {@link #COMMITTED}. */
    static Object[] committedBinds(Batch batch) {
        return new Object[] {batch.journal(), batch.end()};
    }

    /** The committed position of journal {@code ?}, row locked. */
    private static ResultQuery<?> committedForUpdateQuery(DSLContext tx) {
        return tx.select(LEDGER_JOURNALS.COMMITTED_POSITION).from(LEDGER_JOURNALS)
                .where(LEDGER_JOURNALS.JOURNAL_ID.eq(RenderedQuery.slot(LEDGER_JOURNALS.JOURNAL_ID.getDataType())))
                .forUpdate();
    }

    /** Journal {@code ?} is committed up to position {@code ?} (never moving backwards). */
    static Query committedQuery(DSLContext tx) {
        return tx.insertInto(LEDGER_JOURNALS, LEDGER_JOURNALS.JOURNAL_ID, LEDGER_JOURNALS.COMMITTED_POSITION)
                .values(RenderedQuery.slot(LEDGER_JOURNALS.JOURNAL_ID.getDataType()), RenderedQuery.slot(LEDGER_JOURNALS.COMMITTED_POSITION.getDataType()))
                .onConflict(LEDGER_JOURNALS.JOURNAL_ID)
                .doUpdate()
                .set(LEDGER_JOURNALS.COMMITTED_POSITION,
                        DSL.greatest(LEDGER_JOURNALS.COMMITTED_POSITION, DSL.excluded(LEDGER_JOURNALS.COMMITTED_POSITION)))
                .set(LEDGER_JOURNALS.UPDATED_AT, DSL.currentInstant());
    }
}
