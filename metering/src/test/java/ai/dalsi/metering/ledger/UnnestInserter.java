package ai.dalsi.metering.ledger;

import static ai.dalsi.persistence.schema.Tables.API_USAGE_LOGS;

import ai.dalsi.persistence.repo.UsageRow;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * {@code INSERT ... SELECT ... FROM unnest(?, ?, ...) ON CONFLICT DO NOTHING RETURNING id}: one
 * statement with one array parameter per column, however many rows. {@code created_at} is
 * computed from the id in SQL ({@code uuid_v7_time}), which is exactly what the table checks.
 */
final class UnnestInserter implements RowInserter {

    private static final String[] COLUMNS = {"id", "user_id", "api_key_id", "endpoint", "method", "status_code",
        "response_time_ms", "request_size_bytes", "response_size_bytes", "ip_address", "tokens_used", "cost_usd",
        "subscription_tier", "error_message", "request_metadata", "user_agent", "rate_limit_remaining",
        "rate_limit_reset"};

    private static <T> Field<T> col(String name, Class<T> type) {
        return DSL.field(DSL.name("u", name), type);
    }

    @Override
    public String name() {
        return "jooq-unnest";
    }

    @Override
    public Set<UUID> insert(DSLContext tx, Batch batch) {
        List<UsageRow> rows = batch.rows();
        int n = rows.size();
        UUID[] id = new UUID[n];
        UUID[] user = new UUID[n];
        UUID[] key = new UUID[n];
        String[] endpoint = new String[n];
        String[] method = new String[n];
        Integer[] status = new Integer[n];
        Integer[] time = new Integer[n];
        Integer[] reqBytes = new Integer[n];
        Integer[] respBytes = new Integer[n];
        String[] ip = new String[n];
        Integer[] tokens = new Integer[n];
        BigDecimal[] cost = new BigDecimal[n];
        String[] tier = new String[n];
        String[] error = new String[n];
        String[] meta = new String[n];
        String[] agent = new String[n];
        Integer[] remaining = new Integer[n];
        String[] reset = new String[n];
        for (int i = 0; i < n; i++) {
            UsageRow r = rows.get(i);
            id[i] = r.id();
            user[i] = r.userId();
            key[i] = r.apiKeyId();
            endpoint[i] = r.endpoint();
            method[i] = r.method();
            status[i] = r.statusCode();
            time[i] = r.responseTimeMs();
            reqBytes[i] = r.requestSizeBytes();
            respBytes[i] = r.responseSizeBytes();
            ip[i] = r.ipAddress();
            tokens[i] = r.tokensUsed();
            cost[i] = r.costUsd();
            tier[i] = r.subscriptionTier();
            error[i] = r.errorMessage();
            meta[i] = r.requestMetadataJson();
            agent[i] = r.userAgent();
            remaining[i] = r.rateLimitRemaining();
            reset[i] = r.rateLimitReset() == null ? null : r.rateLimitReset().toString();
        }
        Table<?> u = DSL.table("unnest({0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9}, {10}, {11}, {12}, {13}, {14},"
                        + " {15}, {16}, {17})",
                DSL.val(id, SQLDataType.UUID.array()), DSL.val(user, SQLDataType.UUID.array()),
                DSL.val(key, SQLDataType.UUID.array()), DSL.val(endpoint, SQLDataType.CLOB.array()),
                DSL.val(method, SQLDataType.CLOB.array()), DSL.val(status, SQLDataType.INTEGER.array()),
                DSL.val(time, SQLDataType.INTEGER.array()), DSL.val(reqBytes, SQLDataType.INTEGER.array()),
                DSL.val(respBytes, SQLDataType.INTEGER.array()), DSL.val(ip, SQLDataType.CLOB.array()),
                DSL.val(tokens, SQLDataType.INTEGER.array()), DSL.val(cost, SQLDataType.NUMERIC.array()),
                DSL.val(tier, SQLDataType.CLOB.array()), DSL.val(error, SQLDataType.CLOB.array()),
                DSL.val(meta, SQLDataType.CLOB.array()), DSL.val(agent, SQLDataType.CLOB.array()),
                DSL.val(remaining, SQLDataType.INTEGER.array()), DSL.val(reset, SQLDataType.CLOB.array()))
                .as("u", COLUMNS);
        Field<UUID> uid = col("id", UUID.class);
        return new HashSet<>(tx.insertInto(API_USAGE_LOGS, CopyInserter.LOG_COLUMNS)
                .select(DSL.select(uid, col("user_id", UUID.class), col("api_key_id", UUID.class),
                                col("endpoint", String.class), col("method", String.class),
                                col("status_code", Integer.class), col("response_time_ms", Integer.class),
                                col("request_size_bytes", Integer.class), col("response_size_bytes", Integer.class),
                                DSL.field("{0}::inet", API_USAGE_LOGS.IP_ADDRESS.getDataType(), col("ip_address", Object.class)),
                                col("tokens_used", Integer.class), col("cost_usd", BigDecimal.class),
                                col("subscription_tier", String.class), col("error_message", String.class),
                                DSL.field("{0}::jsonb", API_USAGE_LOGS.REQUEST_METADATA.getDataType(),
                                        col("request_metadata", Object.class)),
                                col("user_agent", String.class), col("rate_limit_remaining", Integer.class),
                                DSL.field("{0}::timestamptz", API_USAGE_LOGS.RATE_LIMIT_RESET.getDataType(),
                                        col("rate_limit_reset", Object.class)),
                                DSL.field("uuid_v7_time({0})", API_USAGE_LOGS.CREATED_AT.getDataType(), uid))
                        .from(u))
                .onConflictDoNothing()
                .returning(API_USAGE_LOGS.ID)
                .fetch(API_USAGE_LOGS.ID));
    }
}
