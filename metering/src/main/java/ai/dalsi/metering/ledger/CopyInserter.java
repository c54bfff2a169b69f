package ai.dalsi.metering.ledger;

import static ai.dalsi.persistence.schema.Tables.API_USAGE_LOGS;

import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.repo.UsageRow;
import java.math.BigDecimal;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import ai.dalsi.persistence.schema.tables.records.ApiUsageLogsRecord;
import org.jooq.DSLContext;
import org.jooq.InsertOnDuplicateStep;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * COPY's speed with {@code ON CONFLICT}'s idempotence: the rows travel with PostgreSQL's COPY
 * protocol (binary, {@link CopyBinary}) into a session-local temporary table that empties itself
 * at commit, then one jOOQ {@code INSERT INTO api_usage_logs SELECT ... FROM usage_batch ON
 * CONFLICT DO NOTHING RETURNING id} moves them. The data transfer is the JDBC driver's {@code CopyManager} API on the
 * transaction's (pooled, unwrapped) connection; every statement that decides anything is jOOQ.
 * {@code created_at} is the instant in the id, which the table checks.
 */
final class CopyInserter {

    static final String TEMP_TABLE = "usage_batch";

    private static final String COPY_SQL = "COPY " + TEMP_TABLE + " (id, user_id, api_key_id, endpoint, method,"
            + " status_code, response_time_ms, request_size_bytes, response_size_bytes, ip_address, tokens_used,"
            + " cost_usd, subscription_tier, error_message, request_metadata, user_agent, rate_limit_remaining,"
            + " rate_limit_reset, created_at, model, hour, weight, grouped) FROM STDIN (FORMAT binary)";
    /** Fields of a staged line. */
    private static final int FIELDS = 23;

    /** The api_usage_logs columns a usage row fills, in the order the inserting selects give them. */
    static final List<Field<?>> LOG_COLUMNS = List.of(API_USAGE_LOGS.ID, API_USAGE_LOGS.USER_ID,
            API_USAGE_LOGS.API_KEY_ID, API_USAGE_LOGS.ENDPOINT, API_USAGE_LOGS.METHOD, API_USAGE_LOGS.STATUS_CODE,
            API_USAGE_LOGS.RESPONSE_TIME_MS, API_USAGE_LOGS.REQUEST_SIZE_BYTES, API_USAGE_LOGS.RESPONSE_SIZE_BYTES,
            API_USAGE_LOGS.IP_ADDRESS, API_USAGE_LOGS.TOKENS_USED, API_USAGE_LOGS.COST_USD,
            API_USAGE_LOGS.SUBSCRIPTION_TIER, API_USAGE_LOGS.ERROR_MESSAGE, API_USAGE_LOGS.REQUEST_METADATA,
            API_USAGE_LOGS.USER_AGENT, API_USAGE_LOGS.RATE_LIMIT_REMAINING, API_USAGE_LOGS.RATE_LIMIT_RESET,
            API_USAGE_LOGS.CREATED_AT);

    private CopyInserter() {
    }


    /** Puts the rows into the session's staging table ({@link StagingTable}) with COPY. */
    static void stage(DSLContext tx, Batch batch) {
        byte[] data = copyData(batch);
        tx.connection(c -> {
            CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY_SQL);
            try {
                copy.writeToCopy(data, 0, data.length);
                copy.endCopy();
            } finally {
                if (copy.isActive()) {
                    copy.cancelCopy();
                }
            }
        });
    }

    /**
     * {@code INSERT INTO api_usage_logs (...) SELECT ... FROM usage_batch} of the staged rows (not
     * the groups of refusals), to be finished by the caller.
     */
    static InsertOnDuplicateStep<ApiUsageLogsRecord> insertStaged(DSLContext tx) {
        Table<?> b = DSL.table(DSL.name(TEMP_TABLE));
        Field<UUID> id = col("id", UUID.class);
        return tx.insertInto(API_USAGE_LOGS, LOG_COLUMNS)
                .select(DSL.select(id, col("user_id", UUID.class), col("api_key_id", UUID.class),
                                col("endpoint", String.class), col("method", String.class),
                                col("status_code", Integer.class), col("response_time_ms", Integer.class),
                                col("request_size_bytes", Integer.class), col("response_size_bytes", Integer.class),
                                stagedInet("ip_address"),
                                col("tokens_used", Integer.class), col("cost_usd", BigDecimal.class),
                                col("subscription_tier", String.class), col("error_message", String.class),
                                DSL.field(DSL.name(TEMP_TABLE, "request_metadata"),
                                        API_USAGE_LOGS.REQUEST_METADATA.getDataType()),
                                col("user_agent", String.class), col("rate_limit_remaining", Integer.class),
                                DSL.field(DSL.name(TEMP_TABLE, "rate_limit_reset"),
                                        API_USAGE_LOGS.RATE_LIMIT_RESET.getDataType()),
                                DSL.field(DSL.name(TEMP_TABLE, "created_at"), API_USAGE_LOGS.CREATED_AT.getDataType()))
                        .from(b)
                        .where(col("grouped", Boolean.class).isFalse()));
    }

    /**
     * A staged address (text, see {@link StagingTable}) as {@code inet}: PostgreSQL reads it as it
     * would have read it from CSV.
     */
    static Field<String> stagedInet(String column) {
        return DSL.field("{0}::inet", API_USAGE_LOGS.IP_ADDRESS.getDataType(), DSL.name(TEMP_TABLE, column));
    }

    static <T> Field<T> col(String name, Class<T> type) {
        return DSL.field(DSL.name(TEMP_TABLE, name), type);
    }

    /**
     * The batch as binary COPY data: one line per row, with its weight in the totals and rollups (1,
     * or 0 for a refusal's example row), then one line per group of refusals ({@link RefusalGroups}).
     */
    static byte[] copyData(Batch batch) {
        List<UsageRow> rows = batch.rows();
        CopyBinary out = new CopyBinary(rows.size() * 400);
        RefusalGroups groups = new RefusalGroups();
        for (int i = 0; i < rows.size(); i++) {
            UsageEvent e = batch.events().get(i);
            Batch.Kind kind = batch.kinds().get(i);
            if (kind != Batch.Kind.ROW) {
                groups.add(e);
            }
            if (kind == Batch.Kind.COUNT) {
                continue;
            }
            UsageRow r = rows.get(i);
            out.line(FIELDS).uuid(r.id()).uuid(r.userId()).uuid(r.apiKeyId()).text(r.endpoint()).text(r.method())
                    .int4(r.statusCode()).int4(r.responseTimeMs()).int4(r.requestSizeBytes())
                    .int4(r.responseSizeBytes()).text(r.ipAddress()).int4(r.tokensUsed()).numeric(r.costUsd())
                    .text(r.subscriptionTier()).text(r.errorMessage()).jsonb(r.requestMetadataJson())
                    .text(r.userAgent()).int4(r.rateLimitRemaining()).timestamptz(r.rateLimitReset())
                    .timestamptz(r.createdAt()).text(UsageRows.rollupModel(e))
                    .timestamptz(r.createdAt().truncatedTo(ChronoUnit.HOURS))
                    .int8(kind == Batch.Kind.ROW ? 1L : 0L).bool(false);
        }
        for (RefusalGroups.Group g : groups.all()) {
            UsageEvent n = g.newest;
            out.line(FIELDS).uuid(n.requestId()).uuid(n.userId()).uuid(n.apiKeyId()).text(g.endpoint)
                    .text(UsageRows.clean(n.method())).int4(g.status).nul().nul().nul()
                    .text(UsageRows.inetOrNull(n.clientIp())).int4(Math.toIntExact(g.tokens)).numeric(g.cost)
                    .nul().nul().jsonb("{}").nul().nul().nul()
                    .timestamptz(n.createdAt()).text(g.model).timestamptz(g.hour)
                    .int8(g.count).bool(true);
        }
        return out.finish();
    }
}
