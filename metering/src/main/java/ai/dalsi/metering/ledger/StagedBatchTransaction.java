package ai.dalsi.metering.ledger;

import static ai.dalsi.metering.ledger.CopyInserter.TEMP_TABLE;
import static ai.dalsi.metering.ledger.CopyInserter.col;
import static ai.dalsi.persistence.schema.Tables.API_KEYS;
import static ai.dalsi.persistence.schema.Tables.API_USAGE_HOURLY;
import static ai.dalsi.persistence.schema.Tables.API_USAGE_LOGS;
import static ai.dalsi.persistence.schema.Tables.API_USAGE_REFUSALS;

import ai.dalsi.persistence.jooq.RenderedQuery;
import ai.dalsi.persistence.schema.tables.records.ApiUsageHourlyRecord;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.InsertOnDuplicateSetMoreStep;
import org.jooq.InsertOnDuplicateStep;
import org.jooq.Record7;
import org.jooq.Table;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * The ledger's {@link BatchTransaction}: the rows are staged with COPY into the session's
 * temporary table {@code usage_batch} ({@link CopyInserter#stage}), and everything else is
 * set-based jOOQ SQL over that table, so no row crosses the network twice and no statement grows
 * with the batch:
 * <ol>
 *   <li>{@code INSERT INTO api_usage_logs SELECT ... FROM usage_batch}. Optimistically without
 *       {@code ON CONFLICT}: request ids are unique, so a conflict only happens when a batch is
 *       replayed (after a crash, or a commit whose answer was lost). Then the statement fails
 *       with a unique violation, the transaction rolls back as a whole, and the batch is written
 *       again the idempotent way: {@code ON CONFLICT DO NOTHING RETURNING id}, after which the
 *       rows not inserted are removed from {@code usage_batch}. Either way {@code usage_batch}
 *       ends up holding exactly the rows this transaction inserted.</li>
 *   <li>key totals: lock the batch's keys in id order, then one {@code UPDATE api_keys ... FROM}
 *       the per-key sums of {@code usage_batch} (the newest row per key by {@code DISTINCT ON});</li>
 *   <li>rollups: one {@code INSERT INTO api_usage_hourly SELECT ... GROUP BY ... ORDER BY ...
 *       ON CONFLICT DO UPDATE} adding the sums;</li>
 *   <li>refusals: the batch's groups of refused requests ({@link RefusalGroups}) are staged as lines
 *       of their own ({@code grouped}, weighing their count); they add to the key totals and rollups
 *       above and to {@code api_usage_refusals}, while a refusal's example row weighs 0;</li>
 *   <li>{@link JournalProgress}: only events after the journal's committed position are staged, and
 *       the position moves to the batch's end in the same transaction.</li>
 *   <li>webhooks: the {@code key.rate_limited} events of the batch's refusals, once per key and
 *       window ({@link RateLimitNotices}; no statement when the batch has no refusal), and, once the
 *       rollups hold the batch, the {@code budget.threshold} events of the monthly budgets its spend
 *       reached ({@link BudgetNotices}).</li>
 * </ol>
 */
final class StagedBatchTransaction implements BatchTransaction {

    /**
     * Longest wait for any answer from the server inside a batch transaction. Without it, a server
     * that stops answering (a network partition rather than a refused connection) would hold the
     * writer in a socket read for as long as TCP takes to give up; with it the connection fails, the
     * pool drops it, and the batch is retried. Batches take well under a second.
     */
    static final int NETWORK_TIMEOUT_MILLIS = 60_000;

    @Override
    public String name() {
        return "copy+jooq-set-based";
    }

    private final StagingTable staging = new StagingTable();

    @Override
    public int write(DSLContext dsl, Batch batch) {
        if (batch.size() == 0) {
            return 0;
        }
        UUID[] keys = batch.keys();
        try {
            int stored = dsl.transactionResult(cfg -> {
                DSLContext tx = cfg.dsl();
                Batch todo = begin(tx, keys, batch);
                if (todo.size() > 0) {
                    staging.ensure(tx);
                    CopyInserter.stage(tx, todo);
                    RateLimitNotices.enqueue(tx, todo);
                    // One round trip for the statements that do the work.
                    if (batch.journal() == null) {
                        WORK.execute(tx);
                    } else {
                        WORK_AND_PROGRESS.execute(tx, JournalProgress.committedBinds(batch));
                    }
                    BudgetNotices.enqueue(tx, todo);
                } else {
                    JournalProgress.committed(tx, batch);
                }
                return todo.size();
            });
            staging.committed();
            return stored;
        } catch (RuntimeException e) {
            staging.rolledBack(e);
            if (!SqlStates.UNIQUE_VIOLATION.equals(SqlStates.of(e))) {
                throw e;
            }
        }
        try {
            int stored = dsl.transactionResult(cfg -> {
                DSLContext tx = cfg.dsl();
                Batch todo = begin(tx, keys, batch);
                if (todo.size() == 0) {
                    JournalProgress.committed(tx, batch);
                    return 0;
                }
                staging.ensure(tx);
                CopyInserter.stage(tx, todo);
                RateLimitNotices.enqueue(tx, todo);
                Set<UUID> ids = Set.copyOf(CopyInserter.insertStaged(tx).onConflictDoNothing()
                        .returning(API_USAGE_LOGS.ID).fetch(API_USAGE_LOGS.ID));
                // Keep exactly the rows this transaction inserted (and the refusal groups, which have no row).
                tx.deleteFrom(B).where(GROUPED.isFalse())
                        .and(ids.isEmpty() ? DSL.trueCondition() : ID.ne(DSL.all(ids.toArray(UUID[]::new))))
                        .execute();
                TOTALS.execute(tx);
                JournalProgress.committed(tx, batch);
                BudgetNotices.enqueue(tx, todo);
                return ids.size() + todo.countedOnly();
            });
            staging.committed();
            return stored;
        } catch (RuntimeException e) {
            staging.rolledBack(e);
            throw e;
        }
    }

    /**
     * Starts a batch transaction: bounds its waits, locks the keys, and returns the part of the batch
     * this journal has not committed yet ({@link JournalProgress}).
     */
    private static Batch begin(DSLContext tx, UUID[] keys, Batch batch) {
        limitWaits(tx);
        lockKeys(tx, keys);
        return JournalProgress.uncommitted(tx, batch);
    }

    /** Adds the batch's refusal groups to {@code api_usage_refusals}, in key, hour, endpoint, model, status order. */
    static org.jooq.Query upsertRefusalsQuery(DSLContext tx) {
        Field<String> endpoint = col("endpoint", String.class);
        Field<String> model = col("model", String.class);
        Field<Instant> hour = col("hour", Instant.class);
        Field<Integer> status = col("status_code", Integer.class);
        return tx.insertInto(API_USAGE_REFUSALS, API_USAGE_REFUSALS.API_KEY_ID, API_USAGE_REFUSALS.USER_ID,
                        API_USAGE_REFUSALS.HOUR, API_USAGE_REFUSALS.ENDPOINT, API_USAGE_REFUSALS.MODEL,
                        API_USAGE_REFUSALS.STATUS_CODE, API_USAGE_REFUSALS.REQUEST_COUNT)
                .select(DSL.select(KEY_ID, col("user_id", UUID.class), hour, endpoint, model, status, WEIGHT)
                        .from(B)
                        .where(GROUPED)
                        .orderBy(KEY_ID, hour, endpoint, model, status))
                .onConflict(API_USAGE_REFUSALS.API_KEY_ID, API_USAGE_REFUSALS.HOUR, API_USAGE_REFUSALS.ENDPOINT,
                        API_USAGE_REFUSALS.MODEL, API_USAGE_REFUSALS.STATUS_CODE)
                .doUpdate()
                .set(API_USAGE_REFUSALS.REQUEST_COUNT,
                        API_USAGE_REFUSALS.REQUEST_COUNT.plus(DSL.excluded(API_USAGE_REFUSALS.REQUEST_COUNT)))
                .set(API_USAGE_REFUSALS.UPDATED_AT, DSL.currentInstant());
    }

    /** The pool restores the connection's own timeout when the connection goes back. */
    private static void limitWaits(DSLContext tx) {
        tx.connection(c -> c.setNetworkTimeout(Runnable::run, NETWORK_TIMEOUT_MILLIS));
    }

    private static final Table<?> B = DSL.table(DSL.name(TEMP_TABLE));
    private static final Field<UUID> ID = col("id", UUID.class);
    private static final Field<UUID> KEY_ID = col("api_key_id", UUID.class);
    private static final Field<Integer> TOKENS = col("tokens_used", Integer.class);
    private static final Field<BigDecimal> COST = col("cost_usd", BigDecimal.class);
    private static final Field<Instant> CREATED_AT = col("created_at", Instant.class);
    /** Requests a staged line adds to the totals and rollups (0 for a refusal's example row). */
    private static final Field<Long> WEIGHT = col("weight", Long.class);
    private static final Field<Boolean> GROUPED = col("grouped", Boolean.class);
    /** Lines that count: rows of requests the edge did not refuse, and groups of refusals. */
    private static final Condition COUNTS = WEIGHT.gt(0L);

    /**
     * Locks the batch's keys in id order (see {@link BatchTransaction} for why NO KEY), before
     * anything else: every writer takes key locks first, then rollup rows in their order.
     */
    static void lockKeys(DSLContext tx, UUID[] keys) {
        LOCK_KEYS.execute(tx, (Object) keys);
    }

    /** The keys {@code ?} (an array), locked in id order. */
    private static org.jooq.ResultQuery<?> lockKeysQuery(DSLContext tx) {
        // The first statement of the transaction also bounds how long this transaction may sit idle
        // (set_config(..., true) lasts until its end): if the writer vanishes mid-transaction (a
        // network partition, a killed process), PostgreSQL ends it and releases the key locks after
        // that time instead of when TCP notices, which can take hours and would stall the writers
        // of every node behind those locks.
        var guard = DSL.select(DSL.function("set_config", String.class, DSL.inline("idle_in_transaction_session_timeout"),
                DSL.inline(IDLE_IN_TRANSACTION_TIMEOUT), DSL.inline(true)).as("timeout")).asTable("guard");
        return tx.select(API_KEYS.ID).from(API_KEYS, guard)
                .where(API_KEYS.ID.eq(DSL.any(RenderedQuery.slot(SQLDataType.UUID.array()))))
                .orderBy(API_KEYS.ID)
                .forNoKeyUpdate().of(API_KEYS);
    }

    /** See {@link #lockKeysQuery}: far above the idle time of a live batch (milliseconds). */
    static final String IDLE_IN_TRANSACTION_TIMEOUT = "30s";

    /** Per key: adds the sums of its rows, and takes the newest row's time, address and endpoint. */
    static org.jooq.Query updateKeysQuery(DSLContext tx) {
        // Sums per key, and the newest row per key: the highest id, as ids are UUIDv7 (time first).
        Table<?> sums = DSL.select(KEY_ID.as("key_id"), DSL.sum(WEIGHT).cast(SQLDataType.BIGINT).as("requests"),
                        DSL.sum(TOKENS).cast(SQLDataType.BIGINT).as("tokens"), DSL.sum(COST).as("cost"))
                .from(B)
                .where(COUNTS)
                .groupBy(KEY_ID)
                .asTable("sums");
        Table<?> newest = DSL.select(KEY_ID.as("key_id"), CREATED_AT.as("last_at"),
                        CopyInserter.stagedInet("ip_address").as("last_ip"),
                        col("endpoint", String.class).as("last_endpoint"))
                .distinctOn(KEY_ID)
                .from(B)
                .where(COUNTS)
                .orderBy(KEY_ID, ID.desc())
                .asTable("newest");
        Table<?> s = DSL.select(sums.field("key_id"), sums.field("requests"), sums.field("tokens"), sums.field("cost"),
                        newest.field("last_at"), newest.field("last_ip"), newest.field("last_endpoint"))
                .from(sums)
                .join(newest).on(newest.field("key_id", UUID.class).eq(sums.field("key_id", UUID.class)))
                .asTable("s");
        Field<Instant> lastAt = s.field("last_at", Instant.class);
        Condition newer = API_KEYS.LAST_USED_AT.isNull().or(API_KEYS.LAST_USED_AT.lt(lastAt));
        return tx.update(API_KEYS)
                .set(API_KEYS.TOTAL_REQUESTS, API_KEYS.TOTAL_REQUESTS.plus(s.field("requests", Long.class)))
                .set(API_KEYS.TOTAL_TOKENS_USED, API_KEYS.TOTAL_TOKENS_USED.plus(s.field("tokens", Long.class)))
                .set(API_KEYS.TOTAL_COST_USD, API_KEYS.TOTAL_COST_USD.plus(s.field("cost", BigDecimal.class)))
                .set(API_KEYS.LAST_USED_AT, DSL.when(newer, lastAt).otherwise(API_KEYS.LAST_USED_AT))
                .set(API_KEYS.LAST_USED_IP, DSL.when(newer,
                        DSL.field(DSL.name("s", "last_ip"), API_KEYS.LAST_USED_IP.getDataType()))
                        .otherwise(API_KEYS.LAST_USED_IP))
                .set(API_KEYS.LAST_USED_ENDPOINT, DSL.when(newer, s.field("last_endpoint", String.class))
                        .otherwise(API_KEYS.LAST_USED_ENDPOINT))
                .from(s)
                .where(API_KEYS.ID.eq(s.field("key_id", UUID.class)));
    }

    /** Adds the rows' sums to their hourly rollups, upserted in key, hour, endpoint, model order. */
    static org.jooq.Query upsertRollupsQuery(DSLContext tx) {
        Table<?> b = B;
        Field<UUID> keyId = KEY_ID;
        Field<Integer> tokens = TOKENS;
        Field<BigDecimal> cost = COST;
        Field<String> endpoint = col("endpoint", String.class);
        Field<String> model = col("model", String.class);
        Field<Instant> hour = col("hour", Instant.class);
        Field<Integer> status = col("status_code", Integer.class);
        return addedToExisting(tx.insertInto(API_USAGE_HOURLY, API_USAGE_HOURLY.API_KEY_ID, API_USAGE_HOURLY.USER_ID,
                        API_USAGE_HOURLY.ENDPOINT, API_USAGE_HOURLY.MODEL, API_USAGE_HOURLY.HOUR,
                        API_USAGE_HOURLY.REQUEST_COUNT, API_USAGE_HOURLY.TOKENS_USED, API_USAGE_HOURLY.COST_USD,
                        API_USAGE_HOURLY.ERROR_COUNT)
                .select(DSL.select(keyId, col("user_id", UUID.class), endpoint, model, hour,
                                DSL.sum(WEIGHT).cast(SQLDataType.BIGINT), DSL.sum(tokens).cast(SQLDataType.BIGINT),
                                DSL.sum(cost), DSL.coalesce(DSL.sum(WEIGHT).filterWhere(status.ge(400)), DSL.inline(
                                        java.math.BigDecimal.ZERO)).cast(SQLDataType.BIGINT))
                        .from(b)
                        .where(COUNTS)
                        .groupBy(keyId, col("user_id", UUID.class), endpoint, model, hour)
                        .orderBy(keyId, hour, endpoint, model)));
    }

    /** The rollup upsert's conflict clause: an hour that has a rollup already gets the new counts added. */
    static InsertOnDuplicateSetMoreStep<ApiUsageHourlyRecord> addedToExisting(
            InsertOnDuplicateStep<ApiUsageHourlyRecord> insert) {
        return insert.onConflict(API_USAGE_HOURLY.API_KEY_ID, API_USAGE_HOURLY.HOUR, API_USAGE_HOURLY.ENDPOINT,
                        API_USAGE_HOURLY.MODEL)
                .doUpdate()
                .set(API_USAGE_HOURLY.REQUEST_COUNT,
                        API_USAGE_HOURLY.REQUEST_COUNT.plus(DSL.excluded(API_USAGE_HOURLY.REQUEST_COUNT)))
                .set(API_USAGE_HOURLY.TOKENS_USED,
                        API_USAGE_HOURLY.TOKENS_USED.plus(DSL.excluded(API_USAGE_HOURLY.TOKENS_USED)))
                .set(API_USAGE_HOURLY.COST_USD, API_USAGE_HOURLY.COST_USD.plus(DSL.excluded(API_USAGE_HOURLY.COST_USD)))
                .set(API_USAGE_HOURLY.ERROR_COUNT,
                        API_USAGE_HOURLY.ERROR_COUNT.plus(DSL.excluded(API_USAGE_HOURLY.ERROR_COUNT)))
                .set(API_USAGE_HOURLY.UPDATED_AT, DSL.currentInstant());
    }

    /*
     * The batch's statements, rendered once (RenderedQuery): built and rendered for every batch they
     * took over a third of the writer's CPU (WriterBenchmark: 10.7 against 6.9 us of Java CPU per
     * row). Last in the class: they need the fields above.
     */
    private static final RenderedQuery LOCK_KEYS = RenderedQuery.of(StagedBatchTransaction::lockKeysQuery);
    /** Key totals, rollups and refusal counts from the staged lines. */
    private static final RenderedQuery TOTALS = RenderedQuery.of(StagedBatchTransaction::updateKeysQuery,
            StagedBatchTransaction::upsertRollupsQuery, StagedBatchTransaction::upsertRefusalsQuery);
    /** The staged rows into the log, then {@link #TOTALS}: a batch without a journal. */
    private static final RenderedQuery WORK = RenderedQuery.of(CopyInserter::insertStaged).then(TOTALS);
    /** {@link #WORK}, then the journal's committed position (binds {@link JournalProgress#committedBinds}). */
    private static final RenderedQuery WORK_AND_PROGRESS = WORK.then(JournalProgress.COMMITTED);
}
