package ai.dalsi.metering.ledger;

import org.jooq.DSLContext;

/**
 * One batch of usage events written in one transaction, so that the log, the key totals and the
 * hourly rollups can never disagree:
 * <ol>
 *   <li>insert the rows, skipping request ids already stored;</li>
 *   <li>add the totals of exactly the rows inserted to {@code api_keys}: request count, tokens,
 *       cost, and {@code last_used_at}/{@code last_used_ip}/{@code last_used_endpoint} from each
 *       key's newest inserted event (latest {@code created_at}, then highest id), never moving
 *       {@code last_used_at} backwards. Keys are first locked in id order
 *       ({@code SELECT ... ORDER BY id FOR NO KEY UPDATE}), then updated set-based: writers on
 *       several nodes always lock keys in the same order, so they cannot deadlock;</li>
 *   <li>upsert the hourly rollups of those rows in a fixed order (key, hour, endpoint, model), for
 *       the same reason.</li>
 * </ol>
 * Requests the edge refused are counted instead of inserted (their groups add to the totals and
 * rollups and to {@code api_usage_refusals}); the journal's committed position, moved in the same
 * transaction, makes their replay exact. Replaying a batch therefore inserts nothing and adds
 * nothing. {@code FOR NO KEY UPDATE} (what an
 * {@code UPDATE} of non-key columns takes anyway) rather than {@code FOR UPDATE}: the foreign-key
 * checks of concurrent inserts hold {@code FOR KEY SHARE} on the same key rows, which
 * {@code FOR UPDATE} would wait for.
 */
interface BatchTransaction {

    /** What the ledger uses: {@link StagedBatchTransaction}, the fastest in {@code WriterBenchmark}. */
    static BatchTransaction standard() {
        return new StagedBatchTransaction();
    }

    /** A short name for reports. */
    String name();

    /**
     * Writes the batch in one transaction; returns how many of its events were stored (rows
     * inserted plus refusals counted), not already stored before.
     */
    int write(DSLContext dsl, Batch batch);
}
