package ai.dalsi.metering.ledger;

import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * How {@link ReturningBatchTransaction} gets a batch's rows into {@code api_usage_logs}:
 * {@code ON CONFLICT DO NOTHING} on the request id, answering the ids really inserted. Several
 * ways exist because their speed differs a lot; the benchmark ({@code WriterBenchmark} in the
 * tests) compares them with the {@link StagedBatchTransaction} the ledger uses.
 */
interface RowInserter {

    /** A short name for reports. */
    String name();

    /** Inserts the rows (ids unique within the list) and returns the ids that were not stored yet. */
    Set<UUID> insert(DSLContext tx, Batch batch);
}
