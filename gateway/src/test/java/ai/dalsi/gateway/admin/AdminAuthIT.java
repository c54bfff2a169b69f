package ai.dalsi.gateway.admin;

import static ai.dalsi.gateway.admin.AdminHttp.json;
import static ai.dalsi.persistence.schema.Tables.A_USERS;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.config.AdminConfig;
import ai.dalsi.persistence.schema.tables.records.AUsersRecord;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Who may call the admin API: bearer token, Basic against a_users, roles. */
@ExtendWith(FreshDatabaseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminAuthIT {

    private static final String PRODUCT = json("{'name':'ai.test','endpoints':['/v1/test']}");

    private final AdminFixture f;

    AdminAuthIT(TestDatabase db) {
        f = new AdminFixture(db);
        // The scopes a key may hold are those the catalog's products require.
        new ai.dalsi.gateway.testing.EdgeSeed(db.dsl()).standardCatalog();
    }

    @AfterAll
    void close() {
        f.close();
    }

    @Test
    void noCredentialsIs401WithAChallenge() {
        AdminHttp.Response r = f.anonymous.get("/admin/products");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("www-authenticate")).startsWith("Basic realm=");
        assertThat(r.errorMessage()).contains("missing credentials");
    }

    @Test
    void unknownAdminPathWithoutCredentialsIs401Not404() {
        assertThat(f.anonymous.get("/admin/nothing-here").status()).isEqualTo(401);
    }

    @Test
    void wrongTokenIs401() {
        AdminHttp.Response r = f.anonymous.withBearer("test-bootstrap-token-0123456780").get("/admin/products");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("www-authenticate")).isNotNull();
        assertThat(r.text()).doesNotContain("test-bootstrap-token");
    }

    @Test
    void rightTokenIsSuperAdmin() {
        assertThat(f.token.get("/admin/products").status()).isEqualTo(200);
        assertThat(f.token.post("/admin/products", json("{'name':'ai.bytoken','endpoints':['/v1/bytoken']}"))
                .status()).isEqualTo(201);
    }

    @Test
    void wrongBasicPasswordIs401() {
        AdminHttp.Response r = f.anonymous.withBasic(AdminFixture.ADMIN_USER, "not-the-password").get("/admin/products");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.errorMessage()).isEqualTo("invalid credentials");
    }

    @Test
    void unknownUsernameIs401LikeAWrongPassword() {
        AdminHttp.Response r = f.anonymous.withBasic("mallory", "whatever-password").get("/admin/products");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.errorMessage()).isEqualTo("invalid credentials");
    }

    @Test
    void malformedAuthorizationIs401() {
        assertThat(f.anonymous.withAuthorization("Basic !!!notbase64").get("/admin/products").status()).isEqualTo(401);
        assertThat(f.anonymous.withAuthorization("Digest abc").get("/admin/products").status()).isEqualTo(401);
        assertThat(f.anonymous.withAuthorization("Bearer").get("/admin/products").status()).isEqualTo(401);
    }

    @Test
    void inactiveAdminIs401() {
        new AdminAccounts(f.db.dsl(), Clock.systemUTC())
                .create("retired", Role.SUPER_ADMIN, "retired-password-1", null, null);
        AdminHttp retired = f.anonymous.withBasic("retired", "retired-password-1");
        assertThat(retired.get("/admin/products").status()).isEqualTo(200);
        f.db.dsl().update(A_USERS).set(A_USERS.IS_ACTIVE, false).where(A_USERS.USERNAME.eq("retired")).execute();
        AdminHttp.Response r = retired.get("/admin/products");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.errorMessage()).isEqualTo("invalid credentials");
    }

    @Test
    void basicLoginRecordsLastLoginAndIp() {
        AdminHttp.Response r = f.admin.get("/admin/products");
        assertThat(r.status()).isEqualTo(200);
        AUsersRecord alice = f.db.dsl().selectFrom(A_USERS).where(A_USERS.USERNAME.eq(AdminFixture.ADMIN_USER))
                .fetchOne();
        assertThat(alice.getLastLogin()).isNotNull();
        assertThat(alice.getLastLoginIp()).isEqualTo("127.0.0.1");
        assertThat(alice.getPasswordHash()).startsWith("$2").doesNotContain(AdminFixture.ADMIN_PASSWORD);
    }

    @Test
    void adminMayReadButNotWriteProductsAndModels() {
        assertThat(f.admin.get("/admin/products").status()).isEqualTo(200);
        assertThat(f.admin.get("/admin/models").status()).isEqualTo(200);
        AdminHttp.Response p = f.admin.post("/admin/products", PRODUCT);
        assertThat(p.status()).isEqualTo(403);
        assertThat(p.errorMessage()).contains("admin may not POST /admin/products").contains("super_admin");
        assertThat(f.admin.post("/admin/models", json("{'name':'m-by-admin'}")).status()).isEqualTo(403);
        assertThat(f.admin.patch("/admin/models/00000000-0000-0000-0000-000000000000", json("{'is_active':false}"))
                .status()).isEqualTo(403);
        assertThat(f.admin.patch("/admin/products/00000000-0000-0000-0000-000000000000", json("{'is_active':false}"))
                .status()).isEqualTo(403);
    }

    @Test
    void adminManagesUsersAndKeys() {
        AdminHttp.Response u = f.admin.post("/admin/users", json("{'email':'by-admin@example.com'}"));
        assertThat(u.status()).isEqualTo(201);
        AdminHttp.Response k = f.admin.post("/admin/keys", json("{'user_id':'" + u.json().get("id").asText()
                + "','name':'k','scopes':['ai.chat']}"));
        assertThat(k.status()).isEqualTo(201);
    }

    @Test
    void superAdminWritesProducts() {
        assertThat(f.superAdmin.post("/admin/products", PRODUCT).status()).isEqualTo(201);
    }

    @Test
    void wrongMethodIs405WithAllow() {
        AdminHttp.Response r = f.token.send("DELETE", "/admin/keys/00000000-0000-0000-0000-000000000000", null);
        assertThat(r.status()).isEqualTo(405);
        assertThat(r.header("allow")).isEqualTo("GET, PATCH");
        assertThat(f.token.send("PUT", "/admin/users", "{}").status()).isEqualTo(405);
    }

    @Test
    void unknownPathIs404ForAnAuthenticatedCaller() {
        AdminHttp.Response r = f.token.get("/admin/nothing-here");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.errorMessage()).isEqualTo("no such path: /admin/nothing-here");
        assertThat(f.anonymous.get("/elsewhere").status()).isEqualTo(404);
    }

    @Test
    void everyResponseCarriesARequestId() {
        assertThat(f.anonymous.get("/admin/products").header("x-request-id")).matches("[0-9a-f-]{36}");
        assertThat(f.token.get("/admin/products").header("x-request-id")).matches("[0-9a-f-]{36}");
    }

    @Test
    void withoutAConfiguredTokenBearerAuthIsRefused() {
        try (AdminFixture noToken = new AdminFixture(f.db, Clock.systemUTC(), AdminFixture.quick(AdminConfig.onPort(0)), List.of())) {
            assertThat(noToken.anonymous.withBearer(AdminFixture.TOKEN).get("/admin/products").status())
                    .isEqualTo(401);
            assertThat(noToken.admin.get("/admin/products").status()).isEqualTo(200);
        }
    }

    @Test
    void metricsCanRequireAuthentication() {
        AdminConfig closed = AdminFixture.quick(AdminConfig.onPort(0).withToken(AdminFixture.TOKEN))
                .withMetricsRequireAuth(true);
        try (AdminFixture g = new AdminFixture(f.db, Clock.systemUTC(), closed, List.of())) {
            assertThat(g.anonymous.get("/metrics").status()).isEqualTo(401);
            assertThat(g.token.get("/metrics").status()).isEqualTo(200);
            assertThat(g.anonymous.get("/health/live").status()).isEqualTo(200);
        }
        assertThat(f.anonymous.get("/metrics").status()).isEqualTo(200);
    }
}
