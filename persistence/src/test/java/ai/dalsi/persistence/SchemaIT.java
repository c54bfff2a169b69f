package ai.dalsi.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The migrated schema against schema-analysis.md, through information_schema and pg_catalog. */
@ExtendWith(FreshDatabaseExtension.class)
class SchemaIT {

    private final TestDatabase db;
    private final DSLContext dsl;

    SchemaIT(TestDatabase db) {
        this.db = db;
        this.dsl = db.dsl();
    }

    @Test
    void everyTableAndColumnOfTheDocumentExistsWithItsType() throws Exception {
        Map<String, Map<String, String>> actual = new HashMap<>();
        for (Record r : dsl.resultQuery("select table_name, column_name, data_type from information_schema.columns"
                + " where table_schema = 'public'")) {
            actual.computeIfAbsent(r.get(0, String.class), k -> new HashMap<>())
                    .put(r.get(1, String.class), r.get(2, String.class));
        }
        int checked = 0;
        for (var table : SchemaDocument.read().entrySet()) {
            assertThat(actual).as("table %s", table.getKey()).containsKey(table.getKey());
            for (var column : table.getValue().entrySet()) {
                String where = table.getKey() + "." + column.getKey();
                assertThat(actual.get(table.getKey())).as("column %s", where).containsKey(column.getKey());
                Optional<String> expected = column.getValue();
                String type = actual.get(table.getKey()).get(column.getKey());
                if (expected.isPresent()) {
                    if (expected.get().equals("integer")) {
                        // Cumulative counters may be widened (see the V1 migration comment).
                        assertThat(type).as("type of %s", where).isIn("integer", "bigint");
                    } else {
                        assertThat(type).as("type of %s", where).isEqualTo(expected.get());
                    }
                }
                checked++;
            }
        }
        assertThat(checked).isEqualTo(190);
    }

    @Test
    void referencedTablesHaveTheirColumns() {
        assertThat(columns("users")).contains("id", "email", "password_hash", "full_name", "is_active",
                "created_at", "updated_at");
        assertThat(columns("user_subscriptions")).contains("id", "user_id", "tier", "status",
                "current_period_start", "current_period_end", "price_usd", "created_at", "updated_at");
        assertThat(columns("feature_flags")).contains("id", "name", "description", "is_enabled",
                "rollout_percentage", "created_at", "updated_at");
    }

    @Test
    void noTimestampWithoutTimeZoneAnywhere() {
        assertThat(count("select count(*) from information_schema.columns where table_schema = 'public'"
                + " and table_name <> 'flyway_schema_history' and data_type = 'timestamp without time zone'")).isZero();
    }

    @Test
    void usageLogsArePartitionedByMonthWithDefaultPartition() {
        List<String> partitions = dsl.resultQuery(
                "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid"
                        + " where i.inhparent = 'api_usage_logs'::regclass order by 1").fetch(0, String.class);
        assertThat(partitions).contains("api_usage_logs_default");
        assertThat(partitions.stream().filter(p -> p.matches("api_usage_logs_\\d{4}_\\d{2}"))).hasSize(5);
        assertThat(dsl.resultQuery("select pg_get_partkeydef('api_usage_logs'::regclass)").fetchOne(0, String.class))
                .isEqualTo("RANGE (created_at)");
        List<String> indexes = dsl.resultQuery(
                "select indexdef from pg_indexes where tablename = 'api_usage_logs'").fetch(0, String.class);
        assertThat(indexes).anyMatch(d -> d.contains("(api_key_id, created_at)"));
        assertThat(indexes).anyMatch(d -> d.contains("(user_id, created_at)"));
    }

    @Test
    void migratingAgainIsANoOp() {
        assertThat(Migrations.migrate(db.database().dataSource())).isZero();
        assertThat(count("select count(*) from flyway_schema_history where success"))
                .isEqualTo(count("select count(*) from flyway_schema_history"))
                .isGreaterThanOrEqualTo(2);
    }

    static Stream<Arguments> enumeratedColumns() {
        return Stream.of(
                Arguments.of("a_users", "role", List.of("admin", "super_admin")),
                Arguments.of("ai_models", "type", List.of("text", "multimodal")),
                Arguments.of("chats", "model_type", List.of("dalsi-ai", "dalsi-aivi")),
                Arguments.of("api_keys", "subscription_tier", List.of("free", "pro", "enterprise")),
                Arguments.of("api_keys", "environment", List.of("production", "development")),
                Arguments.of("api_key_revocations", "revoke_type", List.of("manual", "automatic")),
                Arguments.of("api_products", "required_subscription_tier", List.of("free", "pro", "enterprise")),
                Arguments.of("api_usage_logs", "subscription_tier", List.of("free", "pro", "enterprise")),
                Arguments.of("user_subscriptions", "tier", List.of("free", "pro", "enterprise")),
                Arguments.of("billing_invoices", "status", List.of("pending", "paid", "failed", "refunded")),
                Arguments.of("blog_posts", "status", List.of("draft", "published", "archived")),
                Arguments.of("contact_submissions", "type", List.of("general", "sales", "support", "partnership")),
                Arguments.of("contact_submissions", "status", List.of("new", "in_progress", "resolved", "closed")),
                Arguments.of("email_campaigns", "status", List.of("draft", "scheduled", "sent", "cancelled")),
                Arguments.of("conversion_funnel_detailed", "step_name", List.of("guest_created",
                        "first_message_sent", "friction_shown", "friction_dismissed", "sign_in_clicked",
                        "account_created", "first_paid_message", "subscription_purchased")),
                Arguments.of("cohort_analysis", "cohort_type", List.of("daily", "weekly", "monthly")));
    }

    /** Each enumeration's CHECK names exactly the document's values. */
    @ParameterizedTest(name = "{0}.{1}")
    @MethodSource("enumeratedColumns")
    void checkConstraintAllowsExactlyTheDocumentedValues(String table, String column, List<String> values) {
        String def = dsl.resultQuery(
                "select pg_get_constraintdef(oid) from pg_constraint where conrelid = ?::regclass"
                        + " and contype = 'c' and conname = ?", table, table + "_" + column + "_check")
                .fetchOne(0, String.class);
        assertThat(def).as("CHECK on %s.%s", table, column).isNotNull();
        for (String v : values) {
            assertThat(def).contains("'" + v + "'");
        }
        assertThat(def.split("'", -1).length / 2).as("values in %s", def).isEqualTo(values.size());
    }

    private List<String> columns(String table) {
        return dsl.resultQuery("select column_name from information_schema.columns where table_schema = 'public'"
                + " and table_name = ?", table).fetch(0, String.class);
    }

    private long count(String sql, Object... args) {
        return ((Number) dsl.fetchValue(sql, args)).longValue();
    }
}
