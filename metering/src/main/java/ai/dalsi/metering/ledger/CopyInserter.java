package ai.dalsi.metering.ledger;

import static ai.dalsi.persistence.schema.Tables.API_USAGE_LOGS;

import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.repo.UsageRow;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
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
 * protocol (CSV) into a session-local temporary table that empties itself at commit, then one
 * jOOQ {@code INSERT INTO api_usage_logs SELECT ... FROM usage_batch ON CONFLICT DO NOTHING
 * RETURNING id} moves them. The data transfer is the JDBC driver's {@code CopyManager} API on the
 * transaction's (pooled, unwrapped) connection; every statement that decides anything is jOOQ.
 * {@code created_at} is the instant in the id, which the table checks.
 */
final class CopyInserter {

    static final String TEMP_TABLE = "usage_batch";

    private static final String COPY_SQL = "COPY " + TEMP_TABLE + " (id, user_id, api_key_id, endpoint, method,"
            + " status_code, response_time_ms, request_size_bytes, response_size_bytes, ip_address, tokens_used,"
            + " cost_usd, subscription_tier, error_message, request_metadata, user_agent, rate_limit_remaining,"
            + " rate_limit_reset, created_at, model, hour, weight, grouped) FROM STDIN (FORMAT csv)";

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
        byte[] csv = csv(batch);
        tx.connection(c -> {
            CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY_SQL);
            try {
                copy.writeToCopy(csv, 0, csv.length);
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
                                DSL.field(DSL.name(TEMP_TABLE, "ip_address"), API_USAGE_LOGS.IP_ADDRESS.getDataType()),
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

    static <T> Field<T> col(String name, Class<T> type) {
        return DSL.field(DSL.name(TEMP_TABLE, name), type);
    }

    /**
     * The batch as COPY CSV: one line per row (strings always quoted, an empty string is not NULL,
     * NULL as nothing), with its weight in the totals and rollups (1, or 0 for a refusal's example
     * row), then one line per group of refusals ({@link RefusalGroups}).
     */
    static byte[] csv(Batch batch) {
        List<UsageRow> rows = batch.rows();
        StringBuilder sb = new StringBuilder(rows.size() * 360);
        RefusalGroups groups = new RefusalGroups();
        CsvInstants created = new CsvInstants();
        CsvInstants reset = new CsvInstants();
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
            sb.append(r.id()).append(',').append(r.userId()).append(',').append(r.apiKeyId()).append(',');
            quoted(sb, r.endpoint());
            sb.append(',');
            quoted(sb, r.method());
            sb.append(',').append(r.statusCode()).append(',');
            plain(sb, r.responseTimeMs());
            sb.append(',');
            plain(sb, r.requestSizeBytes());
            sb.append(',');
            plain(sb, r.responseSizeBytes());
            sb.append(',');
            quoted(sb, r.ipAddress());
            sb.append(',').append(r.tokensUsed()).append(',').append(r.costUsd().toPlainString()).append(',');
            quoted(sb, r.subscriptionTier());
            sb.append(',');
            quoted(sb, r.errorMessage());
            sb.append(',');
            quoted(sb, r.requestMetadataJson());
            sb.append(',');
            quoted(sb, r.userAgent());
            sb.append(',');
            plain(sb, r.rateLimitRemaining());
            sb.append(',');
            reset.append(sb, r.rateLimitReset());
            sb.append(',');
            created.append(sb, r.createdAt());
            sb.append(',');
            quoted(sb, UsageRows.rollupModel(e));
            sb.append(',');
            created.append(sb, r.createdAt().truncatedTo(ChronoUnit.HOURS));
            sb.append(kind == Batch.Kind.ROW ? ",1,false\n" : ",0,false\n");
        }
        for (RefusalGroups.Group g : groups.all()) {
            UsageEvent n = g.newest;
            String ip = UsageRows.inetOrNull(n.clientIp());
            sb.append(n.requestId()).append(',').append(n.userId()).append(',').append(n.apiKeyId()).append(',');
            quoted(sb, g.endpoint);
            sb.append(',');
            quoted(sb, UsageRows.clean(n.method()));
            sb.append(',').append(g.status).append(",,,,");
            quoted(sb, ip);
            sb.append(',').append(g.tokens).append(',').append(g.cost.toPlainString()).append(",,,\"{}\",,,,");
            created.append(sb, n.createdAt());
            sb.append(',');
            quoted(sb, g.model);
            sb.append(',');
            created.append(sb, g.hour);
            sb.append(',').append(g.count).append(",true\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void plain(StringBuilder sb, Object v) {
        if (v != null) {
            sb.append(v);
        }
    }

    private static void quoted(StringBuilder sb, String s) {
        if (s == null) {
            return;
        }
        sb.append('"');
        int from = 0;
        for (int i = s.indexOf('"'); i >= 0; i = s.indexOf('"', from)) {
            sb.append(s, from, i + 1).append('"');
            from = i + 1;
        }
        sb.append(s, from, s.length()).append('"');
    }
}
