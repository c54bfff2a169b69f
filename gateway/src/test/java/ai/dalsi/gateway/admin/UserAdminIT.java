package ai.dalsi.gateway.admin;

import static ai.dalsi.gateway.admin.AdminHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.persistence.repo.UserRepository;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@ExtendWith(FreshDatabaseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UserAdminIT {

    private final AdminFixture f;

    UserAdminIT(TestDatabase db) {
        f = new AdminFixture(db);
    }

    @AfterAll
    void close() {
        f.close();
    }

    @Test
    void createsAUserAndReadsItBack() {
        AdminHttp.Response r = f.token.post("/admin/users", json("{'email':'ada@example.com','full_name':'Ada L'}"));
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.json().get("email").asText()).isEqualTo("ada@example.com");
        assertThat(r.json().get("full_name").asText()).isEqualTo("Ada L");
        assertThat(r.json().get("is_active").asBoolean()).isTrue();
        assertThat(r.json().get("created_at").asText()).endsWith("Z");
        UUID id = UUID.fromString(r.json().get("id").asText());
        assertThat(new UserRepository(f.db.dsl()).findById(id)).hasValueSatisfying(
                u -> assertThat(u.email()).isEqualTo("ada@example.com"));

        AdminHttp.Response g = f.token.get("/admin/users/" + id);
        assertThat(g.status()).isEqualTo(200);
        assertThat(g.json().get("id").asText()).isEqualTo(id.toString());
        assertThat(g.json().get("full_name").asText()).isEqualTo("Ada L");
    }

    @Test
    void anEmailDifferingOnlyInCaseIs409() {
        f.newUser("CaseDup@Example.com");
        AdminHttp.Response r = f.token.post("/admin/users", json("{'email':'casedup@example.com'}"));
        assertThat(r.status()).as(r.text()).isEqualTo(409);
        assertThat(r.errorField()).isEqualTo("email");
        assertThat(r.errorMessage()).isEqualTo("email: casedup@example.com already belongs to another user"
                + " (addresses are compared ignoring case)");
        assertThat(f.db.dsl().fetchCount(ai.dalsi.persistence.schema.Tables.USERS,
                org.jooq.impl.DSL.lower(ai.dalsi.persistence.schema.Tables.USERS.EMAIL).eq("casedup@example.com")))
                .isEqualTo(1);
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"first.last+tag@example.com", "x@sub.example.co.uk",
            "o'brien@example.ie", "a@localhost", "UPPER@EXAMPLE.COM"})
    void addressesAsTheHtmlStandardDefinesThemAreAccepted(String email) {
        assertThat(f.token.post("/admin/users", json("{'email':'" + email.replace("'", "\\u0027") + "'}")).status())
                .isEqualTo(201);
    }

    @Test
    void duplicateEmailIs409NamingTheField() {
        f.newUser("twice@example.com");
        AdminHttp.Response r = f.token.post("/admin/users", json("{'email':'twice@example.com'}"));
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.errorField()).isEqualTo("email");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{}                                        | email     | email: missing (expected: a string)",
            "{'email':'no-at-sign'}                    | email     | email: \"no-at-sign\" (expected: an address like name@example.com)",
            "{'email':42}                              | email     | email: 42 (expected: a string)",
            "{'email':'  '}                            | email     | email: empty (expected: a non-empty string)",
            "{'email':'a@b.c','full_name':true}        | full_name | full_name: true (expected: a string)",
            "{'email':'a@b.c','fullname':'x'}          | fullname  | unknown field: fullname (expected: email, full_name, monthly_budget_usd)",
            "[1,2]                                     | body      | body: expected a JSON object",
            "{'email':'a@b.c'                          | body      | ",
            "{'email':'a@b.c','email':'d@e.f'}         | body      | body: field \"email\" given twice at line 1, column 25 (expected: each field once)",
            "{'email':'two@@example.com'}              | email     | email: \"two@@example.com\" (expected: an address like name@example.com)",
            "{'email':'with space@example.com'}        | email     | email: \"with space@example.com\" (expected: an address like name@example.com)",
            "{'email':'dot@-example.com'}              | email     | email: \"dot@-example.com\" (expected: an address like name@example.com)",
            "{'email':'@example.com'}                  | email     | email: \"@example.com\" (expected: an address like name@example.com)",
            "{'email':'name@'}                         | email     | email: \"name@\" (expected: an address like name@example.com)",
            "{'email':'a\\u0000b@example.com'}         | email     | email: contains the control character U+0000 (expected: text without control characters)",
    })
    void badInputIs400NamingTheField(String body, String field, String message) {
        AdminHttp.Response r = f.token.post("/admin/users", json(body));
        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.errorField()).isEqualTo(field);
        if (message != null) {
            assertThat(r.errorMessage()).isEqualTo(message);
        } else {
            assertThat(r.errorMessage()).startsWith("body: not valid JSON");
        }
    }

    @Test
    void emptyBodyIs400() {
        AdminHttp.Response r = f.token.send("POST", "/admin/users", null);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorMessage()).isEqualTo("body: missing (expected: a JSON object)");
    }

    @Test
    void unknownUserIs404() {
        AdminHttp.Response r = f.token.get("/admin/users/" + UUID.randomUUID());
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.errorMessage()).startsWith("no user with id ");
        assertThat(f.token.get("/admin/users/not-a-uuid").status()).isEqualTo(404);
    }
}
