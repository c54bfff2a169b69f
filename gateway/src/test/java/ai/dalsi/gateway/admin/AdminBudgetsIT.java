package ai.dalsi.gateway.admin;

import static ai.dalsi.gateway.admin.AdminHttp.json;
import static ai.dalsi.persistence.schema.Tables.API_KEYS;
import static ai.dalsi.persistence.schema.Tables.USERS;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.persistence.schema.tables.records.ApiKeysRecord;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Token limits and monthly budgets through the admin API: set on create, changed and cleared by
 * PATCH, shown on read with what is left of the budget this month, bad values refused naming the
 * field; and the rows they leave.
 */
@ExtendWith(FreshDatabaseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminBudgetsIT {

    private final AdminFixture f;
    private final String userId;

    AdminBudgetsIT(TestDatabase db) {
        f = new AdminFixture(db);
        new ai.dalsi.gateway.testing.EdgeSeed(db.dsl()).standardCatalog();
        userId = f.newUser("budgets@example.com");
    }

    @AfterAll
    void close() {
        f.close();
    }

    private AdminHttp.Response create(String extraJson) {
        return f.token.post("/admin/keys", json("{'user_id':'" + userId + "','name':'budgeted','scopes':['ai.chat'],"
                + extraJson + "}"));
    }

    private ApiKeysRecord row(String id) {
        return f.db.dsl().selectFrom(API_KEYS).where(API_KEYS.ID.eq(UUID.fromString(id))).fetchOne();
    }

    @Test
    void keyTokenLimitsAndBudgetAreSetShownChangedAndCleared() {
        AdminHttp.Response r = create("'rate_limit_tokens_per_minute':1000,'rate_limit_tokens_per_day':5000000000,"
                + "'monthly_budget_usd':12.5");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        String id = r.json().get("id").asText();
        assertThat(r.json().get("rate_limit_tokens_per_minute").asLong()).isEqualTo(1000);
        assertThat(r.json().get("rate_limit_tokens_per_day").asLong()).isEqualTo(5_000_000_000L);
        assertThat(r.json().get("monthly_budget_usd").decimalValue()).isEqualByComparingTo("12.5");
        ApiKeysRecord stored = row(id);
        assertThat(stored.getRateLimitTokensPerMinute()).isEqualTo(1000L);
        assertThat(stored.getRateLimitTokensPerDay()).isEqualTo(5_000_000_000L);
        assertThat(stored.getMonthlyBudgetUsd()).isEqualByComparingTo("12.5");

        JsonNode g = f.token.get("/admin/keys/" + id).json();
        assertThat(g.get("monthly_budget_usd").decimalValue()).isEqualByComparingTo("12.5");
        assertThat(g.get("remaining_budget_usd").decimalValue()).as("nothing spent yet").isEqualByComparingTo("12.5");

        AdminHttp.Response p = f.token.patch("/admin/keys/" + id,
                json("{'rate_limit_tokens_per_minute':2000,'rate_limit_tokens_per_day':null,'monthly_budget_usd':0}"));
        assertThat(p.status()).as(p.text()).isEqualTo(200);
        stored = row(id);
        assertThat(stored.getRateLimitTokensPerMinute()).isEqualTo(2000L);
        assertThat(stored.getRateLimitTokensPerDay()).isNull();
        assertThat(stored.getMonthlyBudgetUsd()).isEqualByComparingTo("0");
        assertThat(f.token.get("/admin/keys/" + id).json().get("remaining_budget_usd").decimalValue()).isZero();

        f.token.patch("/admin/keys/" + id, json("{'monthly_budget_usd':null,'rate_limit_tokens_per_minute':null}"));
        JsonNode cleared = f.token.get("/admin/keys/" + id).json();
        assertThat(cleared.get("monthly_budget_usd").isNull()).isTrue();
        assertThat(cleared.get("remaining_budget_usd").isNull()).isTrue();
        assertThat(cleared.get("rate_limit_tokens_per_minute").isNull()).isTrue();
    }

    @Test
    void aKeyWithoutLimitsShowsNulls() {
        JsonNode k = create("'rate_limit_per_minute':5").json();
        assertThat(k.get("rate_limit_tokens_per_minute").isNull()).isTrue();
        assertThat(k.get("rate_limit_tokens_per_day").isNull()).isTrue();
        assertThat(k.get("monthly_budget_usd").isNull()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "'rate_limit_tokens_per_minute':0          | rate_limit_tokens_per_minute",
        "'rate_limit_tokens_per_minute':-5         | rate_limit_tokens_per_minute",
        "'rate_limit_tokens_per_day':1.5           | rate_limit_tokens_per_day",
        "'rate_limit_tokens_per_day':'many'        | rate_limit_tokens_per_day",
        "'monthly_budget_usd':-1                   | monthly_budget_usd",
        "'monthly_budget_usd':'ten'                | monthly_budget_usd",
        "'monthly_budget_usd':1e20                 | monthly_budget_usd",
        "'monthly_budget_usd':0.1234567890123      | monthly_budget_usd",
    })
    void badValuesAre400NamingTheField(String field, String name) {
        AdminHttp.Response r = create(field);
        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.text()).contains(name);
        String keyId = create("'rate_limit_per_minute':5").json().get("id").asText();
        AdminHttp.Response p = f.token.patch("/admin/keys/" + keyId, json("{" + field + "}"));
        assertThat(p.status()).as(p.text()).isEqualTo(400);
        assertThat(p.text()).contains(name);
    }

    @Test
    void aUserBudgetIsSetOnCreateAndShownWithWhatIsLeft() {
        AdminHttp.Response r = f.token.post("/admin/users",
                json("{'email':'budget-user@example.com','monthly_budget_usd':40}"));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        String id = r.json().get("id").asText();
        assertThat(f.db.dsl().select(USERS.MONTHLY_BUDGET_USD).from(USERS).where(USERS.ID.eq(UUID.fromString(id)))
                .fetchOne(0, BigDecimal.class)).isEqualByComparingTo("40");
        JsonNode g = f.token.get("/admin/users/" + id).json();
        assertThat(g.get("monthly_budget_usd").decimalValue()).isEqualByComparingTo("40");
        assertThat(g.get("remaining_budget_usd").decimalValue()).isEqualByComparingTo("40");

        AdminHttp.Response bad = f.token.post("/admin/users", json("{'email':'bad@example.com','monthly_budget_usd':-2}"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.text()).contains("monthly_budget_usd");
        JsonNode none = f.token.get("/admin/users/" + userId).json();
        assertThat(none.get("monthly_budget_usd").isNull()).isTrue();
        assertThat(none.get("remaining_budget_usd").isNull()).isTrue();
    }
}
