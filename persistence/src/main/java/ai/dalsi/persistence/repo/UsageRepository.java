package ai.dalsi.persistence.repo;

import static ai.dalsi.persistence.schema.Tables.API_USAGE_LOGS;

import ai.dalsi.persistence.schema.tables.records.ApiUsageLogsRecord;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.InsertValuesStep19;
import org.jooq.JSONB;

/**
 * Writes usage rows. {@link #insertBatch} is idempotent per request id: a row whose id is already
 * stored is skipped, and only the ids really inserted are returned, so callers can add exactly
 * those to totals.
 */
public final class UsageRepository {

    private final DSLContext dsl;

    public UsageRepository(DSLContext dsl) {
        this.dsl = dsl;
    }

    /** Inserts the rows in one multi-row statement; returns the ids that were not already stored. */
    public Set<UUID> insertBatch(List<UsageRow> rows) {
        if (rows.isEmpty()) {
            return Set.of();
        }
        InsertValuesStep19<ApiUsageLogsRecord, UUID, UUID, UUID, String, String, Integer, Integer, Integer,
                Integer, String, Integer, java.math.BigDecimal, String, String, JSONB, String, Integer,
                java.time.Instant, java.time.Instant> insert = dsl.insertInto(API_USAGE_LOGS,
                API_USAGE_LOGS.ID, API_USAGE_LOGS.USER_ID, API_USAGE_LOGS.API_KEY_ID, API_USAGE_LOGS.ENDPOINT,
                API_USAGE_LOGS.METHOD, API_USAGE_LOGS.STATUS_CODE, API_USAGE_LOGS.RESPONSE_TIME_MS,
                API_USAGE_LOGS.REQUEST_SIZE_BYTES, API_USAGE_LOGS.RESPONSE_SIZE_BYTES, API_USAGE_LOGS.IP_ADDRESS,
                API_USAGE_LOGS.TOKENS_USED, API_USAGE_LOGS.COST_USD, API_USAGE_LOGS.SUBSCRIPTION_TIER,
                API_USAGE_LOGS.ERROR_MESSAGE, API_USAGE_LOGS.REQUEST_METADATA, API_USAGE_LOGS.USER_AGENT,
                API_USAGE_LOGS.RATE_LIMIT_REMAINING, API_USAGE_LOGS.RATE_LIMIT_RESET, API_USAGE_LOGS.CREATED_AT);
        for (UsageRow r : rows) {
            insert = insert.values(r.id(), r.userId(), r.apiKeyId(), r.endpoint(), r.method(), r.statusCode(),
                    r.responseTimeMs(), r.requestSizeBytes(), r.responseSizeBytes(), r.ipAddress(), r.tokensUsed(),
                    r.costUsd(), r.subscriptionTier(), r.errorMessage(),
                    JSONB.jsonb(r.requestMetadataJson() == null ? "{}" : r.requestMetadataJson()),
                    r.userAgent(), r.rateLimitRemaining(), r.rateLimitReset(), r.createdAt());
        }
        return new HashSet<>(insert.onConflictDoNothing().returning(API_USAGE_LOGS.ID).fetch(API_USAGE_LOGS.ID));
    }

    /** How many usage rows are stored (all partitions). */
    public long count() {
        return dsl.fetchCount(API_USAGE_LOGS);
    }
}
