package ai.dalsi.gateway.admin;

import static ai.dalsi.persistence.schema.Tables.API_KEYS;
import static ai.dalsi.persistence.schema.Tables.API_USAGE_HOURLY;
import static ai.dalsi.persistence.schema.Tables.USERS;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.sum;
import static org.jooq.impl.DSL.val;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record5;

/**
 * Usage per hour or per UTC day for a key or a user, read from the hourly rollups
 * ({@code api_usage_hourly}), never from the raw logs: the rollups are what billing reads, so the
 * admin sees the same numbers the invoice will.
 */
final class UsageService {

    /** Bucket size. */
    enum Granularity {
        HOUR, DAY
    }

    record Bucket(Instant start, long requests, long tokens, BigDecimal costUsd, long errors) {
    }

    record Totals(long requests, long tokens, BigDecimal costUsd, long errors) {
    }

    record UsageReport(UUID keyId, UUID userId, Instant from, Instant to, String granularity, List<Bucket> buckets,
            Totals totals) {
    }

    private final DSLContext dsl;

    UsageService(DSLContext dsl) {
        this.dsl = dsl;
    }

    /** Buckets with any usage in {@code [from, to)}, oldest first. Exactly one of keyId, userId is set. */
    UsageReport report(UUID keyId, UUID userId, Instant from, Instant to, Granularity granularity) {
        Condition who;
        if (keyId != null) {
            if (!dsl.fetchExists(API_KEYS, API_KEYS.ID.eq(keyId))) {
                throw AdminProblem.notFound("key_id", "key_id: no key with id " + keyId);
            }
            who = API_USAGE_HOURLY.API_KEY_ID.eq(keyId);
        } else {
            if (!dsl.fetchExists(USERS, USERS.ID.eq(userId))) {
                throw AdminProblem.notFound("user_id", "user_id: no user with id " + userId);
            }
            who = API_USAGE_HOURLY.USER_ID.eq(userId);
        }
        // Day buckets are UTC days whatever the session's time zone.
        Field<Instant> bucket = granularity == Granularity.HOUR
                ? API_USAGE_HOURLY.HOUR
                : field("(date_trunc('day', {0} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')", Instant.class,
                        API_USAGE_HOURLY.HOUR);
        Field<BigDecimal> requests = sum(API_USAGE_HOURLY.REQUEST_COUNT);
        Field<BigDecimal> tokens = sum(API_USAGE_HOURLY.TOKENS_USED);
        Field<BigDecimal> cost = sum(API_USAGE_HOURLY.COST_USD);
        Field<BigDecimal> errors = sum(API_USAGE_HOURLY.ERROR_COUNT);
        List<Bucket> buckets = new ArrayList<>();
        long totalRequests = 0;
        long totalTokens = 0;
        long totalErrors = 0;
        BigDecimal totalCost = BigDecimal.ZERO.setScale(8);
        for (Record5<Instant, BigDecimal, BigDecimal, BigDecimal, BigDecimal> r : dsl
                .select(bucket.as("bucket"), requests, tokens, cost, errors)
                .from(API_USAGE_HOURLY)
                .where(who)
                .and(API_USAGE_HOURLY.HOUR.ge(val(from)))
                .and(API_USAGE_HOURLY.HOUR.lt(val(to)))
                .groupBy(field("bucket"))
                .orderBy(field("bucket"))
                .fetch()) {
            Bucket b = new Bucket(r.value1(), r.value2().longValueExact(), r.value3().longValueExact(),
                    r.value4().setScale(8), r.value5().longValueExact());
            buckets.add(b);
            totalRequests += b.requests();
            totalTokens += b.tokens();
            totalErrors += b.errors();
            totalCost = totalCost.add(b.costUsd());
        }
        return new UsageReport(keyId, userId, from, to, granularity.name().toLowerCase(java.util.Locale.ROOT),
                buckets, new Totals(totalRequests, totalTokens, totalCost, totalErrors));
    }
}
