package ai.dalsi.metering.ledger;

import static ai.dalsi.persistence.schema.Tables.API_USAGE_LOGS;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;

/** {@link CopyInserter}'s COPY staging with {@code ON CONFLICT DO NOTHING RETURNING id}, for the benchmark. */
final class CopyRowInserter implements RowInserter {

    private final StagingTable staging = new StagingTable();

    @Override
    public String name() {
        return "copy+jooq-insert-select";
    }

    @Override
    public Set<UUID> insert(DSLContext tx, Batch batch) {
        staging.ensure(tx);
        CopyInserter.stage(tx, batch);
        return new HashSet<>(CopyInserter.insertStaged(tx).onConflictDoNothing().returning(API_USAGE_LOGS.ID)
                .fetch(API_USAGE_LOGS.ID));
    }
}
