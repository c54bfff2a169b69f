package ai.dalsi.loadtest.compare;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.admin.AdminApi;
import ai.dalsi.gateway.admin.AdminServer;
import ai.dalsi.gateway.auth.ApiKeyFormat;
import ai.dalsi.gateway.config.AdminConfig;
import ai.dalsi.gateway.health.HealthChecks;
import ai.dalsi.gateway.health.Readiness;
import ai.dalsi.gateway.metrics.GatewayMetrics;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.jooq.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The gateway arm's provisioning against the real admin API and schema: the catalog it seeds is
 * accepted by the migrations, and the user and keys it asks for are created with the limits,
 * scopes and tier it needs (ample for load keys, one a minute for over-limit keys).
 */
@ExtendWith(FreshDatabaseExtension.class)
class GatewayAdminIT {

    private static final String TOKEN = "loadtest-contract-token-0123456789";

    @Test
    void createsTheUserAndKeysTheBenchmarkNeedsThroughTheAdminApi(TestDatabase db) throws Exception {
        GatewayArm.seedCatalog(db.jdbcUrl(), db.user(), db.password(), "dalsi-ai", "dalsi-aivi");
        GatewayArm.seedCatalog(db.jdbcUrl(), db.user(), db.password(), "dalsi-ai", "dalsi-aivi"); // idempotent
        assertThat(db.dsl().fetchCount(db.dsl().selectFrom("api_products"))).isEqualTo(3);
        assertThat(db.dsl().fetchValue("SELECT pricing->>'per_image' FROM ai_models WHERE name = 'dalsi-aivi'"))
                .isEqualTo("0.02");

        AdminConfig config = AdminConfig.onPort(0).withToken(TOKEN);
        try (GatewayMetrics metrics = new GatewayMetrics();
             Readiness readiness = new Readiness(List.of(HealthChecks.database(db.database().dataSource())),
                     Duration.ofSeconds(2));
             AdminServer server = new AdminServer(config, new AdminApi(db.dsl(), Clock.systemUTC(), config, metrics,
                     readiness)).start()) {
            GatewayAdmin admin = new GatewayAdmin(URI.create("http://127.0.0.1:" + server.port()), TOKEN);

            String userId = admin.createUser("loadtest@example.com", "Load test");
            String known = admin.createKey(userId, "load-0", GatewayArm.AMPLE_LIMIT);
            String over = admin.createKey(userId, "over-limit-0", 1);

            assertThat(ApiKeyFormat.isWellFormed(known)).isTrue();
            assertThat(ApiKeyFormat.isWellFormed(over)).isTrue();
            Record k = db.dsl().fetchOne("SELECT rate_limit_per_minute, rate_limit_per_day, subscription_tier, "
                    + "scopes::text AS scopes, environment, user_id::text AS user_id FROM api_keys WHERE key_hash = ?",
                    ApiKeyFormat.sha256Hex(known));
            assertThat(k).isNotNull();
            assertThat(k.get("rate_limit_per_minute", Integer.class)).isEqualTo(Integer.MAX_VALUE);
            assertThat(k.get("rate_limit_per_day", Integer.class)).isEqualTo(Integer.MAX_VALUE);
            assertThat(k.get("subscription_tier", String.class)).isEqualTo("enterprise");
            assertThat(k.get("scopes", String.class)).contains("ai.chat", "ai.code", "ai.image");
            assertThat(k.get("environment", String.class)).isEqualTo("production");
            assertThat(k.get("user_id", String.class)).isEqualTo(userId);
            assertThat(db.dsl().fetchValue("SELECT rate_limit_per_hour FROM api_keys WHERE key_hash = ?",
                    ApiKeyFormat.sha256Hex(over))).isEqualTo(1);
        }
    }
}
