package ai.dalsi.gateway.admin;

import static ai.dalsi.gateway.admin.AdminHttp.json;
import static ai.dalsi.persistence.schema.Tables.USERS;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.math.BigDecimal;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code GET /admin/users} (pages, email filter) and {@code PATCH /admin/users/{id}}. */
@ExtendWith(FreshDatabaseExtension.class)
class UserListPatchIT {

    private final AdminFixture f;

    UserListPatchIT(TestDatabase db) {
        f = new AdminFixture(db);
    }

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void usersComeInPagesOldestFirstAndFilterByEmailIgnoringCase() {
        for (int i = 0; i < 5; i++) {
            f.newUser("page" + i + "@paged.example.com");
        }
        f.newUser("Someone.Else@Other.org");
        AdminHttp.Response first = f.admin.get("/admin/users?limit=2&email=PAGED.example");
        assertThat(first.status()).as(first.text()).isEqualTo(200);
        assertThat(first.json().get("data").findValuesAsText("email")).containsExactly("page0@paged.example.com",
                "page1@paged.example.com");
        assertThat(first.json().get("has_more").asBoolean()).isTrue();
        AdminHttp.Response last = f.admin.get("/admin/users?limit=2&offset=4&email=paged.example");
        assertThat(last.json().get("data").findValuesAsText("email")).containsExactly("page4@paged.example.com");
        assertThat(last.json().get("has_more").asBoolean()).isFalse();
        assertThat(f.admin.get("/admin/users").json().get("data").findValuesAsText("email"))
                .contains("page0@paged.example.com", "Someone.Else@Other.org");

        AdminHttp.Response filtered = f.admin.get("/admin/users?email=ELSE%40other");
        assertThat(filtered.json().get("data").findValuesAsText("email")).containsExactly("Someone.Else@Other.org");
        assertThat(f.admin.get("/admin/users?email=100%25").json().get("data")).as("% is no wildcard").isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "limit=0          | limit",
            "limit=201        | limit",
            "limit=99999999999999999999 | limit",
            "offset=-1        | offset",
            "offset=abc       | offset",
            "email=a%00b      | email",
            "sort=email       | sort",
            "limit=1&limit=2  | limit"})
    void badListParametersAre400NamingThem(String query, String field) {
        AdminHttp.Response r = f.admin.get("/admin/users?" + query);
        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.errorField()).isEqualTo(field);
    }

    @Test
    void patchChangesTheGivenFieldsOnly() {
        String id = f.newUser("patch.me@example.com");
        AdminHttp.Response r = f.admin.patch("/admin/users/" + id, json("{'full_name':'Pat','email':'Pat@Example.com',"
                + "'monthly_budget_usd':12.5}"));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().get("email").asText()).isEqualTo("Pat@Example.com");
        assertThat(r.json().get("is_active").asBoolean()).isTrue();
        var row = f.db.dsl().fetchOne(USERS, USERS.ID.eq(UUID.fromString(id)));
        assertThat(row.getFullName()).isEqualTo("Pat");
        assertThat(row.getMonthlyBudgetUsd()).isEqualByComparingTo(new BigDecimal("12.5"));

        r = f.admin.patch("/admin/users/" + id, json("{'monthly_budget_usd':null,'full_name':null,'is_active':false}"));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        row = f.db.dsl().fetchOne(USERS, USERS.ID.eq(UUID.fromString(id)));
        assertThat(row.getMonthlyBudgetUsd()).isNull();
        assertThat(row.getFullName()).isNull();
        assertThat(row.getIsActive()).isFalse();
        assertThat(row.getEmail()).isEqualTo("Pat@Example.com");
    }

    @Test
    void anEmailTakenByAnotherUserIgnoringCaseIs409() {
        f.newUser("taken@example.com");
        String id = f.newUser("free@example.com");
        AdminHttp.Response r = f.admin.patch("/admin/users/" + id, json("{'email':'TAKEN@example.com'}"));
        assertThat(r.status()).as(r.text()).isEqualTo(409);
        assertThat(r.errorField()).isEqualTo("email");
        assertThat(f.db.dsl().fetchOne(USERS, USERS.ID.eq(UUID.fromString(id))).getEmail())
                .isEqualTo("free@example.com");
        assertThat(f.admin.patch("/admin/users/" + id, json("{'email':'FREE@example.com'}")).status())
                .as("its own address in other case").isEqualTo(200);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{'email':'nope'}                        | email",
            "{'email':null}                          | email",
            "{'is_active':null}                      | is_active",
            "{'is_active':'no'}                      | is_active",
            "{'monthly_budget_usd':-1}               | monthly_budget_usd",
            "{'monthly_budget_usd':'10'}             | monthly_budget_usd",
            "{'monthly_budget_usd':1e12}             | monthly_budget_usd",
            "{'monthly_budget_usd':1e999999999}      | monthly_budget_usd",
            "{'monthly_budget_usd':0.000000001}      | monthly_budget_usd",
            "{'full_name':'a\\u0000b'}               | full_name",
            "{'full_name':''}                        | full_name",
            "{'id':'x'}                              | id",
            "{}                                      | body"})
    void badPatchesAre400NamingTheField(String body, String field) {
        String id = f.newUser("bad.patch." + Math.abs(body.hashCode()) + "@example.com");
        AdminHttp.Response r = f.admin.patch("/admin/users/" + id, json(body));
        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.errorField()).isEqualTo(field);
    }

    @Test
    void anUnknownUserIs404() {
        assertThat(f.admin.patch("/admin/users/00000000-0000-0000-0000-000000000000", json("{'is_active':false}"))
                .status()).isEqualTo(404);
    }
}
