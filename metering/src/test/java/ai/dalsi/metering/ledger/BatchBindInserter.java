package ai.dalsi.metering.ledger;

import static ai.dalsi.persistence.schema.Tables.API_USAGE_LOGS;

import ai.dalsi.persistence.repo.UsageRow;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jooq.BatchBindStep;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.jooq.impl.DSL;

/**
 * One prepared {@code INSERT ... ON CONFLICT DO NOTHING} executed as a JDBC batch with jOOQ's
 * batch binding. A batch cannot return rows, so the inserted ids are read back afterwards: the
 * rows of this batch whose {@code xmin} is the current transaction.
 */
final class BatchBindInserter implements RowInserter {

    @Override
    public String name() {
        return "jooq-batch-bind";
    }

    @Override
    public Set<UUID> insert(DSLContext tx, Batch batch) {
        List<UsageRow> rows = batch.rows();
        BatchBindStep statement = tx.batch(tx.insertInto(API_USAGE_LOGS,
                        API_USAGE_LOGS.ID, API_USAGE_LOGS.USER_ID, API_USAGE_LOGS.API_KEY_ID, API_USAGE_LOGS.ENDPOINT,
                        API_USAGE_LOGS.METHOD, API_USAGE_LOGS.STATUS_CODE, API_USAGE_LOGS.RESPONSE_TIME_MS,
                        API_USAGE_LOGS.REQUEST_SIZE_BYTES, API_USAGE_LOGS.RESPONSE_SIZE_BYTES, API_USAGE_LOGS.IP_ADDRESS,
                        API_USAGE_LOGS.TOKENS_USED, API_USAGE_LOGS.COST_USD, API_USAGE_LOGS.SUBSCRIPTION_TIER,
                        API_USAGE_LOGS.ERROR_MESSAGE, API_USAGE_LOGS.REQUEST_METADATA, API_USAGE_LOGS.USER_AGENT,
                        API_USAGE_LOGS.RATE_LIMIT_REMAINING, API_USAGE_LOGS.RATE_LIMIT_RESET, API_USAGE_LOGS.CREATED_AT)
                .values((UUID) null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                        null, null, null, null, null)
                .onConflictDoNothing());
        UUID[] ids = new UUID[rows.size()];
        Instant min = null;
        Instant max = null;
        int i = 0;
        for (UsageRow r : rows) {
            statement = statement.bind(r.id(), r.userId(), r.apiKeyId(), r.endpoint(), r.method(), r.statusCode(),
                    r.responseTimeMs(), r.requestSizeBytes(), r.responseSizeBytes(), r.ipAddress(), r.tokensUsed(),
                    r.costUsd(), r.subscriptionTier(), r.errorMessage(), JSONB.jsonb(r.requestMetadataJson()),
                    r.userAgent(), r.rateLimitRemaining(), r.rateLimitReset(), r.createdAt());
            ids[i++] = r.id();
            min = min == null || r.createdAt().isBefore(min) ? r.createdAt() : min;
            max = max == null || r.createdAt().isAfter(max) ? r.createdAt() : max;
        }
        statement.execute();
        return new HashSet<>(tx.select(API_USAGE_LOGS.ID).from(API_USAGE_LOGS)
                .where(API_USAGE_LOGS.ID.eq(DSL.any(ids)))
                .and(API_USAGE_LOGS.CREATED_AT.between(min, max))
                .and(DSL.condition("xmin = pg_current_xact_id()::xid"))
                .fetch(API_USAGE_LOGS.ID));
    }
}
