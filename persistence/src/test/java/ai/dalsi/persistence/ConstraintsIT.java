package ai.dalsi.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.jooq.exception.IntegrityConstraintViolationException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** CHECK, FOREIGN KEY, UNIQUE and DEFAULT behaviour of the schema, by real inserts. */
@ExtendWith(FreshDatabaseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConstraintsIT {

    private final DSLContext dsl;
    private UUID userId;
    private UUID keyId;
    private UUID adminId;

    ConstraintsIT(DSLContext dsl) {
        this.dsl = dsl;
    }

    @BeforeAll
    void seed() {
        userId = dsl.resultQuery("insert into users (email) values ('owner@example.com') returning id")
                .fetchOne(0, UUID.class);
        adminId = dsl.resultQuery("insert into a_users (username, password_hash) values ('root', 'x') returning id")
                .fetchOne(0, UUID.class);
        keyId = dsl.resultQuery("insert into api_keys (user_id, key_hash, key_prefix, name) values (?, ?, 'dsk_live_abc', 'k')"
                + " returning id", userId, "a".repeat(64)).fetchOne(0, UUID.class);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "a_users.role                | insert into a_users (username, password_hash, role) values ('x1', 'h', 'owner')",
        "ai_models.type              | insert into ai_models (name, type) values ('m1', 'audio')",
        "chats.model_type            | insert into chats (user_id, model_type) values ((select id from users limit 1), 'gpt-4')",
        "api_keys.subscription_tier  | insert into api_keys (user_id, key_hash, key_prefix, name, subscription_tier) values ((select id from users limit 1), repeat('b', 64), 'p', 'n', 'gold')",
        "api_keys.environment        | insert into api_keys (user_id, key_hash, key_prefix, name, environment) values ((select id from users limit 1), repeat('c', 64), 'p', 'n', 'staging')",
        "api_key_revocations.type    | insert into api_key_revocations (api_key_id, user_id, revoke_type) values ((select id from api_keys limit 1), (select id from users limit 1), 'scheduled')",
        "api_products.tier           | insert into api_products (name, required_subscription_tier) values ('p1', 'platinum')",
        "user_subscriptions.tier     | insert into user_subscriptions (user_id, tier, current_period_start, current_period_end) values ((select id from users limit 1), 'basic', now(), now() + interval '1 month')",
        "user_subscriptions.status   | insert into user_subscriptions (user_id, tier, status, current_period_start, current_period_end) values ((select id from users limit 1), 'pro', 'paused', now(), now() + interval '1 month')",
        "billing_invoices.status     | insert into billing_invoices (user_id, invoice_number, amount, total_amount, status) values ((select id from users limit 1), 'INV-X', 1, 1, 'overdue')",
        "blog_posts.status           | insert into blog_posts (title, slug, status) values ('t', 's1', 'deleted')",
        "contact_submissions.type    | insert into contact_submissions (name, email, message, type) values ('n', 'e@x', 'm', 'billing')",
        "contact_submissions.status  | insert into contact_submissions (name, email, message, status) values ('n', 'e@x', 'm', 'open')",
        "email_campaigns.status      | insert into email_campaigns (name, subject, status) values ('n', 's', 'paused')",
        "funnel.step_name            | insert into conversion_funnel_detailed (step_name, step_order) values ('page_viewed', 1)",
        "cohort_analysis.cohort_type | insert into cohort_analysis (cohort_date, cohort_type) values (current_date, 'yearly')",
        "usage.subscription_tier     | insert into api_usage_logs (user_id, api_key_id, endpoint, method, status_code, subscription_tier) values ((select id from users limit 1), (select id from api_keys limit 1), '/v1/x', 'POST', 200, 'gold')",
        "usage.created_at_from_id    | insert into api_usage_logs (id, created_at, user_id, api_key_id, endpoint, method, status_code) values (gen_uuid_v7(now()), now() - interval '1 hour', (select id from users limit 1), (select id from api_keys limit 1), '/v1/x', 'POST', 200)",
        "feature_flags.rollout       | insert into feature_flags (name, rollout_percentage) values ('f', 101)",
        "api_keys.tokens_per_minute  | update api_keys set rate_limit_tokens_per_minute = 0",
        "api_keys.tokens_per_day     | update api_keys set rate_limit_tokens_per_day = -1",
        "api_keys.monthly_budget_usd | update api_keys set monthly_budget_usd = -0.01",
        "users.monthly_budget_usd    | update users set monthly_budget_usd = -1",
    })
    void checkConstraintRejectsABadValue(String what, String sql) {
        assertThatThrownBy(() -> dsl.execute(sql))
                .as(what)
                .isInstanceOf(DataAccessException.class)
                .hasMessageContaining("violates check constraint");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "api_keys.user_id               | insert into api_keys (user_id, key_hash, key_prefix, name) values (gen_random_uuid(), repeat('d', 64), 'p', 'n')",
        "api_keys.revoked_by            | update api_keys set revoked_by = gen_random_uuid()",
        "api_key_revocations.api_key_id | insert into api_key_revocations (api_key_id, user_id) values (gen_random_uuid(), (select id from users limit 1))",
        "api_key_revocations.revoked_by | insert into api_key_revocations (api_key_id, user_id, revoked_by) values ((select id from api_keys limit 1), (select id from users limit 1), gen_random_uuid())",
        "api_usage_logs.api_key_id      | insert into api_usage_logs (user_id, api_key_id, endpoint, method, status_code) values ((select id from users limit 1), gen_random_uuid(), '/v1/x', 'POST', 200)",
        "api_usage_logs.user_id         | insert into api_usage_logs (user_id, api_key_id, endpoint, method, status_code) values (gen_random_uuid(), (select id from api_keys limit 1), '/v1/x', 'POST', 200)",
        "chats.user_id                  | insert into chats (user_id) values (gen_random_uuid())",
        "chats.selected_model_id        | insert into chats (user_id, selected_model_id) values ((select id from users limit 1), gen_random_uuid())",
        "blog_posts.author_id           | insert into blog_posts (title, slug, author_id) values ('t', 'orphan', gen_random_uuid())",
        "contact_submissions.assigned_to| insert into contact_submissions (name, email, message, assigned_to) values ('n', 'e@x', 'm', gen_random_uuid())",
        "funnel.user_id                 | insert into conversion_funnel_detailed (user_id, step_name, step_order) values (gen_random_uuid(), 'account_created', 6)",
        "billing_invoices.user_id       | insert into billing_invoices (user_id, invoice_number, amount, total_amount) values (gen_random_uuid(), 'INV-O1', 1, 1)",
        "billing_invoices.subscription  | insert into billing_invoices (user_id, subscription_id, invoice_number, amount, total_amount) values ((select id from users limit 1), gen_random_uuid(), 'INV-O2', 1, 1)",
        "user_subscriptions.user_id     | insert into user_subscriptions (user_id, tier, current_period_start, current_period_end) values (gen_random_uuid(), 'pro', now(), now() + interval '1 day')",
        "api_usage_hourly.api_key_id    | insert into api_usage_hourly (api_key_id, user_id, endpoint, hour) values (gen_random_uuid(), (select id from users limit 1), '/v1/x', date_trunc('hour', now()))",
    })
    void foreignKeyRejectsAnOrphan(String what, String sql) {
        assertThatThrownBy(() -> dsl.execute(sql))
                .as(what)
                .isInstanceOf(IntegrityConstraintViolationException.class)
                .hasMessageContaining("violates foreign key constraint");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "users.email                    | insert into users (email) values ('dup@example.com')",
        "a_users.username               | insert into a_users (username, password_hash) values ('dupadmin', 'h')",
        "api_keys.key_hash              | insert into api_keys (user_id, key_hash, key_prefix, name) values ((select id from users limit 1), repeat('e', 64), 'p', 'n')",
        "api_products.name              | insert into api_products (name) values ('ai.dup')",
        "blog_posts.slug                | insert into blog_posts (title, slug) values ('t', 'dup-slug')",
        "chats.share_token              | insert into chats (user_id, share_token) values ((select id from users limit 1), 'dup-token')",
        "billing_invoices.invoice_number| insert into billing_invoices (user_id, invoice_number, amount, total_amount) values ((select id from users limit 1), 'INV-DUP', 1, 1)",
    })
    void uniqueConstraintHolds(String what, String sql) {
        dsl.execute(sql);
        assertThatThrownBy(() -> dsl.execute(sql))
                .as(what)
                .isInstanceOf(IntegrityConstraintViolationException.class)
                .hasMessageContaining("duplicate key value violates unique constraint");
    }

    @Test
    void tokenLimitsAndBudgetsAreOptionalAndBudgetsHoldWhatTheLedgerHolds() {
        var key = dsl.resultQuery("select rate_limit_tokens_per_minute, rate_limit_tokens_per_day, monthly_budget_usd"
                + " from api_keys where id = ?", keyId).fetchOne();
        assertThat(key.intoArray()).containsOnlyNulls();
        assertThat(dsl.fetchValue("select monthly_budget_usd from users where id = ?", userId)).isNull();

        String largest = "999999999999.99999999";
        dsl.execute("update api_keys set monthly_budget_usd = ?::numeric, rate_limit_tokens_per_day = ? where id = ?",
                largest, 5_000_000_000L, keyId);
        dsl.execute("update users set monthly_budget_usd = 0 where id = ?", userId);
        assertThat(dsl.fetchValue("select monthly_budget_usd::text from api_keys where id = ?", keyId))
                .isEqualTo(largest);
        assertThat(dsl.fetchValue("select rate_limit_tokens_per_day from api_keys where id = ?", keyId))
                .isEqualTo(5_000_000_000L);
        // One more than api_keys.total_cost_usd can ever hold is refused, not clamped.
        assertThatThrownBy(() -> dsl.execute("update users set monthly_budget_usd = 1000000000000 where id = ?", userId))
                .isInstanceOf(DataAccessException.class)
                .hasMessageContaining("numeric field overflow");
        dsl.execute("update api_keys set monthly_budget_usd = null, rate_limit_tokens_per_day = null where id = ?", keyId);
        dsl.execute("update users set monthly_budget_usd = null where id = ?", userId);
    }

    @Test
    void aRequestIdIsStoredOnceEvenWhenInsertedTwice() {
        UUID id = dsl.resultQuery("select gen_uuid_v7(now())").fetchOne(0, UUID.class);
        String insert = "insert into api_usage_logs (id, created_at, user_id, api_key_id, endpoint, method, status_code)"
                + " values (?, uuid_v7_time(?), ?, ?, '/v1/chat/completions', 'POST', 200) on conflict do nothing";
        assertThat(dsl.execute(insert, id, id, userId, keyId)).isEqualTo(1);
        assertThat(dsl.execute(insert, id, id, userId, keyId)).isZero();
        assertThat(dsl.fetchValue("select count(*) from api_usage_logs where id = ?", id)).isEqualTo(1L);
    }

    /**
     * The instant in a UUIDv7, as the CHECK on {@code api_usage_logs} reads it: to the millisecond,
     * in any session time zone, and inlined by the planner (V15), so that no row runs it through
     * the SQL-function executor.
     */
    @ParameterizedTest
    @CsvSource({"1970-01-01T00:00:00.001Z", "2000-02-29T23:59:59.999Z", "2026-03-29T01:30:00.500Z",
            "2026-12-06T12:34:56.789Z", "2100-12-31T23:59:59.999Z"})
    void uuidV7TimeReadsTheIdsMillisecondsInAnyTimeZone(String instant) {
        Instant at = Instant.parse(instant);
        UUID id = UuidV7.at(at);
        for (String zone : new String[] {"UTC", "Pacific/Chatham", "America/St_Johns"}) {
            OffsetDateTime read = dsl.transactionResult(cfg -> {
                cfg.dsl().execute("set local time zone '" + zone + "'");
                return cfg.dsl().resultQuery("select uuid_v7_time(?::uuid)", id.toString())
                        .fetchOne(0, OffsetDateTime.class);
            });
            assertThat(read.toInstant()).as(zone).isEqualTo(at);
        }
        assertThat(dsl.resultQuery("select uuid_v7_epoch_ms(?::uuid)", id.toString()).fetchOne(0, Long.class))
                .isEqualTo(at.toEpochMilli());
    }

    @Test
    void uuidV7TimeIsInlinedWhereTheCheckRunsIt() {
        String plan = String.join("\n", dsl.resultQuery("explain (verbose) select uuid_v7_time(id) = created_at"
                + " from api_usage_logs").fetch(0, String.class));
        assertThat(plan).contains("AT TIME ZONE").doesNotContain("uuid_v7_time(").doesNotContain("uuid_v7_epoch_ms(");
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        var key = dsl.resultQuery("select rate_limit_per_minute, rate_limit_per_hour, rate_limit_per_day,"
                + " is_active, is_internal, subscription_tier, environment, total_requests, total_tokens_used,"
                + " total_cost_usd, created_at is not null from api_keys where id = ?", keyId).fetchOne();
        assertThat(key.intoArray()).containsExactly(60, 1000, 10000, true, false, "free", "production", 0L, 0L,
                new java.math.BigDecimal("0E-8"), true);
        var product = dsl.resultQuery("insert into api_products (name) values ('ai.defaults')"
                + " returning max_tokens_per_request, is_active, is_public").fetchOne();
        assertThat(product.intoArray()).containsExactly(2048, true, true);
        var invoice = dsl.resultQuery("insert into billing_invoices (user_id, invoice_number, amount, total_amount)"
                + " values (?, 'INV-DEF', 10, 10) returning currency, status", userId).fetchOne();
        assertThat(invoice.intoArray()).containsExactly("USD", "pending");
        var usage = dsl.resultQuery("insert into api_usage_logs (user_id, api_key_id, endpoint, method, status_code)"
                + " values (?, ?, '/v1/x', 'GET', 200) returning uuid_v7_time(id) = created_at, substr(id::text, 15, 1)",
                userId, keyId).fetchOne();
        assertThat(usage.intoArray()).containsExactly(true, "7");
    }

    @Test
    void rowsInTheDefaultPartitionMoveWhenTheirMonthGetsAPartition() {
        // A row seven months ahead (in UTC months, as the partitions are cut, whatever the session's
        // time zone and the day of the month) has no monthly partition yet and lands in the default one.
        String id = dsl.resultQuery("select gen_uuid_v7((date_trunc('month', now() at time zone 'UTC')"
                + " + interval '7 months 3 days') at time zone 'UTC')").fetchOne(0, String.class);
        dsl.execute("insert into api_usage_logs (id, created_at, user_id, api_key_id, endpoint, method, status_code)"
                + " values (?::uuid, uuid_v7_time(?::uuid), ?, ?, '/v1/x', 'POST', 200)", id, id, userId, keyId);
        assertThat(partitionOf(id)).isEqualTo("api_usage_logs_default");

        // The months from last month to eight ahead that have no partition yet, counted as the function counts them.
        int missing = dsl.resultQuery("select count(*) from generate_series(-1, 8) as i where to_regclass("
                + "'api_usage_logs_' || to_char(date_trunc('month', now() at time zone 'UTC')"
                + " + make_interval(months => i), 'YYYY_MM')) is null").fetchOne(0, Integer.class);
        assertThat(missing).as("the row's month has no partition yet").isPositive();
        assertThat(dsl.resultQuery("select ensure_api_usage_log_partitions(1, 8)").fetchOne(0, Integer.class))
                .isEqualTo(missing);
        assertThat(partitionOf(id)).isEqualTo(dsl.resultQuery("select 'api_usage_logs_' || to_char(date_trunc('month',"
                + " now() at time zone 'UTC') + interval '7 months', 'YYYY_MM')").fetchOne(0, String.class));
        assertThat(dsl.resultQuery("select ensure_api_usage_log_partitions(1, 8)").fetchOne(0, Integer.class))
                .isZero();
    }

    private String partitionOf(String id) {
        return dsl.resultQuery("select tableoid::regclass::text from api_usage_logs where id = ?::uuid", id)
                .fetchOne(0, String.class);
    }
}
