package ai.dalsi.metering.ledger;

import static ai.dalsi.persistence.schema.Tables.API_KEYS;
import static ai.dalsi.persistence.schema.Tables.API_USAGE_HOURLY;

import ai.dalsi.metering.CostCalculator;
import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.repo.UsageRow;
import ai.dalsi.persistence.schema.tables.records.ApiUsageHourlyRecord;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.InsertValuesStep9;
import org.jooq.Record7;
import org.jooq.Row7;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * A {@link BatchTransaction} that inserts through a {@link RowInserter} returning the inserted ids,
 * then aggregates those rows in Java and sends the key totals ({@code UPDATE ... FROM (VALUES ...)})
 * and rollups (multi-row upsert) through jOOQ. Kept for the benchmark's comparison with
 * {@link StagedBatchTransaction}, which the ledger uses.
 */
final class ReturningBatchTransaction implements BatchTransaction {

    private final RowInserter inserter;

    ReturningBatchTransaction(RowInserter inserter) {
        this.inserter = inserter;
    }

    @Override
    public String name() {
        return inserter.name() + "+java-aggregates";
    }

    @Override
    public int write(DSLContext dsl, Batch batch) {
        return dsl.transactionResult(cfg -> {
            DSLContext tx = cfg.dsl();
            Set<UUID> inserted = inserter.insert(tx, batch);
            if (inserted.isEmpty()) {
                return 0;
            }
            List<UsageEvent> events = new ArrayList<>(inserted.size());
            for (UsageEvent e : batch.events()) {
                if (inserted.contains(e.requestId())) {
                    events.add(e);
                }
            }
            addKeyTotals(tx, events);
            upsertRollups(tx, events);
            return events.size();
        });
    }

    private static final class KeyTotals {
        long requests;
        long tokens;
        BigDecimal cost = CostCalculator.ZERO;
        UsageEvent newest;
    }

    private static final Comparator<UsageEvent> NEWEST =
            Comparator.comparing(UsageEvent::createdAt).thenComparing(UsageEvent::requestId);

    static void addKeyTotals(DSLContext tx, List<UsageEvent> inserted) {
        TreeMap<UUID, KeyTotals> byKey = new TreeMap<>(UuidOrder.POSTGRES);
        for (UsageEvent e : inserted) {
            KeyTotals t = byKey.computeIfAbsent(e.apiKeyId(), k -> new KeyTotals());
            t.requests++;
            t.tokens += e.usage().totalTokens();
            t.cost = t.cost.add(e.costUsd());
            if (t.newest == null || NEWEST.compare(e, t.newest) > 0) {
                t.newest = e;
            }
        }
        // Lock in the database's uuid order: the same order on every node.
        tx.select(API_KEYS.ID).from(API_KEYS).where(API_KEYS.ID.in(byKey.keySet())).orderBy(API_KEYS.ID)
                .forNoKeyUpdate().fetch();
        List<Row7<UUID, Long, Long, BigDecimal, Instant, String, String>> rows = new ArrayList<>(byKey.size());
        for (Map.Entry<UUID, KeyTotals> en : byKey.entrySet()) {
            KeyTotals t = en.getValue();
            UsageRow newest = UsageRows.row(t.newest);
            rows.add(DSL.row(DSL.val(en.getKey(), SQLDataType.UUID), DSL.val(t.requests, SQLDataType.BIGINT),
                    DSL.val(t.tokens, SQLDataType.BIGINT), DSL.val(t.cost, SQLDataType.NUMERIC(20, 8)),
                    DSL.val(newest.createdAt(), SQLDataType.INSTANT), DSL.val(newest.ipAddress(), SQLDataType.CLOB),
                    DSL.val(newest.endpoint(), SQLDataType.CLOB)));
        }
        @SuppressWarnings({"unchecked", "rawtypes"})
        Table<Record7<UUID, Long, Long, BigDecimal, Instant, String, String>> v = DSL.values(
                rows.toArray(new Row7[0])).as("v", "id", "requests", "tokens", "cost", "last_at", "last_ip",
                "last_endpoint");
        Field<Instant> lastAt = v.field("last_at", Instant.class);
        // "Newer than what is stored" decides the three last_used columns together.
        var newer = API_KEYS.LAST_USED_AT.isNull().or(API_KEYS.LAST_USED_AT.lt(lastAt));
        tx.update(API_KEYS)
                .set(API_KEYS.TOTAL_REQUESTS, API_KEYS.TOTAL_REQUESTS.plus(v.field("requests", Long.class)))
                .set(API_KEYS.TOTAL_TOKENS_USED, API_KEYS.TOTAL_TOKENS_USED.plus(v.field("tokens", Long.class)))
                .set(API_KEYS.TOTAL_COST_USD, API_KEYS.TOTAL_COST_USD.plus(v.field("cost", BigDecimal.class)))
                .set(API_KEYS.LAST_USED_AT, DSL.when(newer, lastAt).otherwise(API_KEYS.LAST_USED_AT))
                .set(API_KEYS.LAST_USED_IP, DSL.when(newer,
                        DSL.field("{0}::inet", API_KEYS.LAST_USED_IP.getDataType(), v.field("last_ip")))
                        .otherwise(API_KEYS.LAST_USED_IP))
                .set(API_KEYS.LAST_USED_ENDPOINT, DSL.when(newer, v.field("last_endpoint", String.class))
                        .otherwise(API_KEYS.LAST_USED_ENDPOINT))
                .from(v)
                .where(API_KEYS.ID.eq(v.field("id", UUID.class)))
                .execute();
    }

    private record RollupKey(UUID apiKeyId, Instant hour, String endpoint, String model) {
    }

    private static final class Rollup {
        UUID userId;
        long requests;
        long tokens;
        BigDecimal cost = CostCalculator.ZERO;
        long errors;
    }

    private static final Comparator<RollupKey> ROLLUP_ORDER = Comparator
            .comparing(RollupKey::apiKeyId, UuidOrder.POSTGRES)
            .thenComparing(RollupKey::hour)
            .thenComparing(RollupKey::endpoint)
            .thenComparing(RollupKey::model);

    static void upsertRollups(DSLContext tx, List<UsageEvent> inserted) {
        TreeMap<RollupKey, Rollup> rollups = new TreeMap<>(ROLLUP_ORDER);
        for (UsageEvent e : inserted) {
            RollupKey k = new RollupKey(e.apiKeyId(), e.createdAt().truncatedTo(ChronoUnit.HOURS),
                    UsageRows.clean(e.endpoint()), UsageRows.rollupModel(e));
            Rollup r = rollups.computeIfAbsent(k, x -> new Rollup());
            r.userId = e.userId();
            r.requests++;
            r.tokens += e.usage().totalTokens();
            r.cost = r.cost.add(e.costUsd());
            if (e.isError()) {
                r.errors++;
            }
        }
        InsertValuesStep9<ApiUsageHourlyRecord, UUID, UUID, String, String, Instant, Long, Long, BigDecimal, Long> insert =
                tx.insertInto(API_USAGE_HOURLY, API_USAGE_HOURLY.API_KEY_ID, API_USAGE_HOURLY.USER_ID,
                        API_USAGE_HOURLY.ENDPOINT, API_USAGE_HOURLY.MODEL, API_USAGE_HOURLY.HOUR,
                        API_USAGE_HOURLY.REQUEST_COUNT, API_USAGE_HOURLY.TOKENS_USED, API_USAGE_HOURLY.COST_USD,
                        API_USAGE_HOURLY.ERROR_COUNT);
        for (Map.Entry<RollupKey, Rollup> en : rollups.entrySet()) {
            RollupKey k = en.getKey();
            Rollup r = en.getValue();
            insert = insert.values(k.apiKeyId(), r.userId, k.endpoint(), k.model(), k.hour(), r.requests, r.tokens,
                    r.cost, r.errors);
        }
        StagedBatchTransaction.addedToExisting(insert).execute();
    }
}
