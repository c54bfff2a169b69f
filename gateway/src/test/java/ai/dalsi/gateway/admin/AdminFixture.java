package ai.dalsi.gateway.admin;

import ai.dalsi.gateway.config.AdminConfig;
import ai.dalsi.gateway.webhooks.WebhookTargets;
import ai.dalsi.gateway.health.HealthCheck;
import ai.dalsi.gateway.health.HealthChecks;
import ai.dalsi.gateway.health.Readiness;
import ai.dalsi.gateway.metrics.GatewayMetrics;
import ai.dalsi.gateway.testing.FakeTime;
import ai.dalsi.persistence.testing.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * A real admin server on port 0 over a test database, with a bootstrap token, an {@code admin}
 * account and a {@code super_admin} account.
 */
final class AdminFixture implements AutoCloseable {

    static final String TOKEN = "test-bootstrap-token-0123456789";
    static final String ADMIN_USER = "alice";
    static final String ADMIN_PASSWORD = "alice-password-123";
    static final String SUPER_USER = "root";
    static final String SUPER_PASSWORD = "root-password-4567";

    final TestDatabase db;
    final GatewayMetrics metrics = new GatewayMetrics();
    final Readiness readiness;
    final AdminServer server;
    final AdminHttp anonymous;
    final AdminHttp token;
    final AdminHttp admin;
    final AdminHttp superAdmin;

    AdminFixture(TestDatabase db) {
        this(db, Clock.systemUTC(), quick(AdminConfig.onPort(0).withToken(TOKEN)), List.of());
    }

    AdminFixture(TestDatabase db, Clock clock, AdminConfig config, List<HealthCheck> extraChecks) {
        this(db, clock, config, extraChecks, null);
    }

    /** With fake time for everything the admin port times (stamps, failed-login budgets, remembered logins). */
    AdminFixture(TestDatabase db, FakeTime time, AdminConfig config) {
        this(db, time, config, List.of(), time);
    }

    private AdminFixture(TestDatabase db, Clock clock, AdminConfig config, List<HealthCheck> extraChecks,
            FakeTime time) {
        this.db = db;
        AdminAccounts accounts = new AdminAccounts(db.dsl(), clock);
        if (db.dsl().fetchCount(ai.dalsi.persistence.schema.Tables.A_USERS) == 0) {
            accounts.create(ADMIN_USER, Role.ADMIN, ADMIN_PASSWORD, "Alice Admin", "alice@example.com");
            accounts.create(SUPER_USER, Role.SUPER_ADMIN, SUPER_PASSWORD, null, null);
        }
        List<HealthCheck> checks = new java.util.ArrayList<>();
        checks.add(HealthChecks.database(db.database().dataSource()));
        checks.addAll(extraChecks);
        this.readiness = new Readiness(checks, Duration.ofSeconds(2));
        AdminApi api = time == null ? new AdminApi(db.dsl(), clock, config, metrics, readiness)
                : new AdminApi(db.dsl(), clock, config, metrics, readiness, WebhookTargets.strict(), time, time);
        this.server = new AdminServer(config, api).start();
        this.anonymous = AdminHttp.anonymous(server.port());
        this.token = anonymous.withBearer(TOKEN);
        this.admin = anonymous.withBasic(ADMIN_USER, ADMIN_PASSWORD);
        this.superAdmin = anonymous.withBasic(SUPER_USER, SUPER_PASSWORD);
    }

    /** The settings with refused logins answered at once, so tests of refusals need not wait. */
    static AdminConfig quick(AdminConfig config) {
        return config.withLogin(config.login().withFailureDelay(java.time.Duration.ZERO));
    }

    /** A user, a key of theirs, a product and a model, made through the API for tests to aim at. */
    record Subjects(String userId, String keyId, String productId, String modelId) {

        /** {@code template} with USER, KEY, PRODUCT and MODEL replaced by the ids. */
        String fill(String template) {
            return template.replace("USER", userId).replace("KEY", keyId).replace("PRODUCT", productId)
                    .replace("MODEL", modelId);
        }
    }

    /** Creates {@link Subjects} whose names start with {@code tag}. */
    Subjects subjects(String tag) {
        String user = newUser(tag + "@example.com");
        // The product first: the scopes a key may hold are those the catalog's products require.
        String product = created(token.post("/admin/products", AdminHttp.json("{'name':'ai." + tag
                + "','endpoints':['/v1/" + tag + "'],'required_scopes':['ai.chat']}")));
        return new Subjects(user, created(token.post("/admin/keys", AdminHttp.json("{'user_id':'" + user
                        + "','name':'k','scopes':['ai.chat']}"))), product,
                created(token.post("/admin/models", AdminHttp.json("{'name':'" + tag + "-model'}"))));
    }

    private static String created(AdminHttp.Response r) {
        if (r.status() != 201) {
            throw new IllegalStateException("not created: " + r.text());
        }
        return r.json().get("id").asText();
    }

    /** Creates a portal user through the API and returns its id. */
    String newUser(String email) {
        AdminHttp.Response r = token.post("/admin/users", AdminHttp.json("{'email':'" + email + "'}"));
        if (r.status() != 201) {
            throw new IllegalStateException("user not created: " + r.text());
        }
        return r.json().get("id").asText();
    }

    @Override
    public void close() {
        server.close();
        readiness.close();
        metrics.close();
    }
}
