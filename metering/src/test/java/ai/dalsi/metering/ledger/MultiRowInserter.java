package ai.dalsi.metering.ledger;

import ai.dalsi.persistence.repo.UsageRepository;
import ai.dalsi.persistence.repo.UsageRow;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;

/** One jOOQ multi-row {@code INSERT ... VALUES (...), (...) ON CONFLICT DO NOTHING RETURNING id}. */
final class MultiRowInserter implements RowInserter {

    @Override
    public String name() {
        return "jooq-multi-row";
    }

    @Override
    public Set<UUID> insert(DSLContext tx, Batch batch) {
        List<UsageRow> rows = batch.rows();
        return new UsageRepository(tx).insertBatch(rows);
    }
}
