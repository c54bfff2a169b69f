package ai.dalsi.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The document parser finds what the document says, so the schema test checks something real. */
class SchemaDocumentTest {

    @Test
    void readsEveryTableOfTheDocument() throws Exception {
        Map<String, Map<String, Optional<String>>> doc = SchemaDocument.read();
        assertThat(doc.keySet()).containsExactly(
                "a_users", "users", "ai_models", "chats", "api_keys", "api_key_revocations", "api_products",
                "api_usage_logs", "user_subscriptions", "billing_invoices", "blog_posts", "faqs",
                "contact_submissions", "email_campaigns", "conversion_funnel_detailed", "cohort_analysis",
                "feature_flags");
    }

    @Test
    void readsColumnsWithTheirTypes() throws Exception {
        Map<String, Map<String, Optional<String>>> doc = SchemaDocument.read();
        Map<String, Optional<String>> keys = doc.get("api_keys");
        assertThat(keys).hasSize(25);
        assertThat(keys.get("user_id")).contains("uuid");
        assertThat(keys.get("allowed_ips")).contains("ARRAY");
        assertThat(keys.get("total_tokens_used")).contains("bigint");
        assertThat(keys.get("expires_at")).contains("timestamp with time zone");
        assertThat(keys.get("revoked_by")).isEmpty();
        assertThat(doc.get("a_users").get("updated_at")).contains("timestamp with time zone");
        assertThat(doc.get("cohort_analysis").get("cohort_date")).contains("date");
        assertThat(doc.get("users").keySet()).containsExactly("id", "email", "password_hash", "created_at");
        assertThat(doc.get("feature_flags").keySet()).containsExactly("id", "name", "is_enabled", "created_at");
        assertThat(doc.get("user_subscriptions")).isEmpty();
        assertThat(doc.values().stream().mapToInt(Map::size).sum()).isEqualTo(190);
    }
}
