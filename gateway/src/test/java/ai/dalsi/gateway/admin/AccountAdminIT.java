package ai.dalsi.gateway.admin;

import static ai.dalsi.gateway.admin.AdminHttp.json;
import static ai.dalsi.persistence.schema.Tables.A_USERS;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code /admin/accounts}: the admin accounts' lifecycle, the last-super_admin rule, last logins. */
@ExtendWith(FreshDatabaseExtension.class)
class AccountAdminIT {

    private final AdminFixture f;

    AccountAdminIT(TestDatabase db) {
        f = new AdminFixture(db);
    }

    @AfterEach
    void close() {
        f.close();
    }

    /** The database lives as long as the class: each test starts from the fixture's two accounts. */
    @BeforeEach
    void freshAccounts() {
        f.db.dsl().deleteFrom(A_USERS).execute();
        AdminAccounts accounts = new AdminAccounts(f.db.dsl(), java.time.Clock.systemUTC());
        accounts.create(AdminFixture.ADMIN_USER, Role.ADMIN, AdminFixture.ADMIN_PASSWORD, "Alice Admin",
                "alice@example.com");
        accounts.create(AdminFixture.SUPER_USER, Role.SUPER_ADMIN, AdminFixture.SUPER_PASSWORD, null, null);
    }

    private String id(String username) {
        return f.db.dsl().select(A_USERS.ID).from(A_USERS).where(A_USERS.USERNAME.eq(username)).fetchOne(A_USERS.ID)
                .toString();
    }

    @Test
    void aSuperAdminCreatesAnAccountThatCanLogInAndDisablesIt() {
        AdminHttp.Response created = f.superAdmin.post("/admin/accounts", json("{'username':'bob','password':"
                + "'bob-password-1234','full_name':'Bob','email':'bob@example.com'}"));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        assertThat(created.json().get("role").asText()).isEqualTo("admin");
        assertThat(created.json().get("is_active").asBoolean()).isTrue();
        assertThat(created.text()).doesNotContain("password");
        String id = created.json().get("id").asText();

        AdminHttp bob = f.anonymous.withBasic("bob", "bob-password-1234");
        assertThat(bob.get("/admin/products").status()).isEqualTo(200);
        assertThat(bob.get("/admin/accounts").status()).as("admin is not super_admin").isEqualTo(403);

        AdminHttp.Response disabled = f.superAdmin.patch("/admin/accounts/" + id, json("{'is_active':false}"));
        assertThat(disabled.status()).as(disabled.text()).isEqualTo(200);
        assertThat(disabled.json().get("is_active").asBoolean()).isFalse();
        assertThat(bob.get("/admin/products").status()).as("a disabled account's remembered login ends")
                .isEqualTo(401);

        assertThat(f.superAdmin.get("/admin/accounts").json().get("data").findValuesAsText("username"))
                .containsExactly("alice", "bob", "root");
    }

    @Test
    void aNewPasswordReplacesTheOldOneAndARoleChangeTakesEffect() {
        String alice = id(AdminFixture.ADMIN_USER);
        assertThat(f.admin.get("/admin/products").status()).isEqualTo(200);
        AdminHttp.Response r = f.superAdmin.patch("/admin/accounts/" + alice,
                json("{'password':'a-brand-new-password','role':'super_admin'}"));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().get("role").asText()).isEqualTo("super_admin");
        assertThat(f.admin.get("/admin/products").status()).as("the old password").isEqualTo(401);
        AdminHttp renewed = f.anonymous.withBasic(AdminFixture.ADMIN_USER, "a-brand-new-password");
        assertThat(renewed.get("/admin/accounts").status()).as("now super_admin").isEqualTo(200);
    }

    @Test
    void theLastActiveSuperAdminCannotBeDisabledOrDemoted() {
        String root = id(AdminFixture.SUPER_USER);
        AdminHttp.Response disable = f.token.patch("/admin/accounts/" + root, json("{'is_active':false}"));
        assertThat(disable.status()).as(disable.text()).isEqualTo(409);
        assertThat(disable.errorField()).isEqualTo("is_active");
        assertThat(disable.errorMessage()).isEqualTo("account root is the last active super_admin and cannot be"
                + " disabled; make another account super_admin first");
        AdminHttp.Response demote = f.superAdmin.patch("/admin/accounts/" + root, json("{'role':'admin'}"));
        assertThat(demote.status()).isEqualTo(409);
        assertThat(demote.errorField()).isEqualTo("role");
        assertThat(f.db.dsl().fetchOne(A_USERS, A_USERS.USERNAME.eq("root")).getRole()).isEqualTo("super_admin");

        // With a second super_admin, the first may step down; then the second is the last.
        String alice = id(AdminFixture.ADMIN_USER);
        assertThat(f.superAdmin.patch("/admin/accounts/" + alice, json("{'role':'super_admin'}")).status())
                .isEqualTo(200);
        assertThat(f.superAdmin.patch("/admin/accounts/" + root, json("{'role':'admin'}")).status()).isEqualTo(200);
        assertThat(f.token.patch("/admin/accounts/" + alice, json("{'is_active':false}")).status()).isEqualTo(409);
    }

    @Test
    void twoSuperAdminsDemotedAtOnceLeaveOneOfThem() throws Exception {
        String root = id(AdminFixture.SUPER_USER);
        String alice = id(AdminFixture.ADMIN_USER);
        assertThat(f.token.patch("/admin/accounts/" + alice, json("{'role':'super_admin'}")).status()).isEqualTo(200);
        for (int round = 0; round < 5; round++) {
            java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
            java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                var a = two.submit(() -> {
                    together.await();
                    return f.token.patch("/admin/accounts/" + root, json("{'role':'admin'}")).status();
                });
                var b = two.submit(() -> {
                    together.await();
                    return f.token.patch("/admin/accounts/" + alice, json("{'is_active':false}")).status();
                });
                assertThat(java.util.List.of(a.get(), b.get())).containsExactlyInAnyOrder(200, 409);
            } finally {
                two.shutdownNow();
            }
            assertThat(f.db.dsl().fetchCount(A_USERS, A_USERS.IS_ACTIVE.isTrue()
                    .and(A_USERS.ROLE.eq("super_admin")))).isEqualTo(1);
            // Back to two super_admins for the next round.
            f.db.dsl().update(A_USERS).set(A_USERS.ROLE, "super_admin").set(A_USERS.IS_ACTIVE, true).execute();
        }
    }

    @Test
    void aLoginRecordsItsTimeAndAddress() {
        assertThat(f.db.dsl().fetchOne(A_USERS, A_USERS.USERNAME.eq("alice")).getLastLogin()).isNull();
        assertThat(f.admin.get("/admin/products").status()).isEqualTo(200);
        var alice = f.db.dsl().fetchOne(A_USERS, A_USERS.USERNAME.eq("alice"));
        assertThat(alice.getLastLogin()).isNotNull();
        assertThat(alice.getLastLoginIp()).isEqualTo("127.0.0.1");
        assertThat(f.anonymous.withBasic("root", "wrong-password-000").get("/admin/products").status())
                .isEqualTo(401);
        assertThat(f.db.dsl().fetchOne(A_USERS, A_USERS.USERNAME.eq("root")).getLastLogin())
                .as("a failed login is no login").isNull();
        AdminHttp.Response listed = f.superAdmin.get("/admin/accounts");
        assertThat(listed.json().get("data").get(0).get("last_login_ip").asText()).isEqualTo("127.0.0.1");
    }

    @Test
    void onlySuperAdminsManageAccounts() {
        assertThat(f.admin.get("/admin/accounts").status()).isEqualTo(403);
        assertThat(f.admin.post("/admin/accounts", json("{'username':'eve','password':'eve-password-1234'}"))
                .status()).isEqualTo(403);
        assertThat(f.admin.patch("/admin/accounts/" + id("alice"), json("{'role':'super_admin'}")).status())
                .isEqualTo(403);
        assertThat(f.db.dsl().fetchCount(A_USERS)).isEqualTo(2);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "POST  | {'username':'root','password':'another-password-1'}   | 409 | username",
            "POST  | {'username':'x','password':'short'}                    | 400 | password",
            "POST  | {'username':'x'}                                       | 400 | password",
            "POST  | {'username':'has space','password':'long-enough-pw-1'} | 400 | username",
            "POST  | {'username':'a:b','password':'long-enough-pw-1'}       | 400 | username",
            "POST  | {'username':'x','password':'long-enough-pw-1','role':'owner'} | 400 | role",
            "POST  | {'username':'x','password':'long-enough-pw-1','email':'nope'} | 400 | email",
            "POST  | {'username':'x','password':'long-enough-pw-1','email':'alice@example.com'} | 409 | email",
            "POST  | {'username':'x\\u0000','password':'long-enough-pw-1'}  | 400 | username",
            "PATCH | {'is_active':null}                                     | 400 | is_active",
            "PATCH | {'role':'root'}                                        | 400 | role",
            "PATCH | {'password':'x'}                                       | 400 | password",
            "PATCH | {'password':'a\\u0000aaaaaaaaaaaaaaa'}                 | 400 | password",
            "PATCH | {}                                                     | 400 | body",
            "PATCH | {'is_active':1e999999}                                 | 400 | is_active",
            "PATCH | {'username':'renamed'}                                 | 400 | username"})
    void badInputIsRefusedNamingTheField(String method, String body, int status, String field) {
        String path = method.equals("POST") ? "/admin/accounts" : "/admin/accounts/" + id("alice");
        AdminHttp.Response r = f.superAdmin.send(method, path, json(body));
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        assertThat(r.errorField()).isEqualTo(field);
        assertThat(f.db.dsl().fetchCount(A_USERS)).isEqualTo(2);
    }

    @Test
    void anUnknownAccountIs404() {
        assertThat(f.superAdmin.patch("/admin/accounts/00000000-0000-0000-0000-000000000000",
                json("{'is_active':false}")).status()).isEqualTo(404);
    }
}
