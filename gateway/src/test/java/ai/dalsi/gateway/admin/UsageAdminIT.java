package ai.dalsi.gateway.admin;

import static ai.dalsi.gateway.admin.AdminHttp.json;
import static ai.dalsi.persistence.schema.Tables.API_USAGE_HOURLY;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.testing.FakeTime;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** GET /admin/usage, answered from the hourly rollups. */
@ExtendWith(FreshDatabaseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UsageAdminIT {

    private final AdminFixture f;
    private final String userId;
    private final String keyA;
    private final String keyB;

    UsageAdminIT(TestDatabase db) {
        f = new AdminFixture(db);
        // The scopes a key may hold are those the catalog's products require.
        new ai.dalsi.gateway.testing.EdgeSeed(db.dsl()).standardCatalog();
        userId = f.newUser("usage@example.com");
        keyA = key("a");
        keyB = key("b");
        // Key A: two hours on Jan 1 (one with two endpoints), one on Jan 2. Key B: one hour on Jan 1.
        rollup(keyA, "2030-01-01T10:00:00Z", "/v1/chat/completions", 10, 1000, "0.01000000", 1);
        rollup(keyA, "2030-01-01T10:00:00Z", "/v1/images/generations", 2, 0, "0.08000000", 0);
        rollup(keyA, "2030-01-01T23:00:00Z", "/v1/chat/completions", 5, 500, "0.00500000", 2);
        rollup(keyA, "2030-01-02T00:00:00Z", "/v1/chat/completions", 1, 100, "0.00100000", 0);
        rollup(keyB, "2030-01-01T12:00:00Z", "/v1/chat/completions", 7, 70, "0.00007000", 0);
    }

    private String key(String name) {
        return f.token.post("/admin/keys", json("{'user_id':'" + userId + "','name':'" + name
                + "','scopes':['ai.chat']}")).json().get("id").asText();
    }

    private void rollup(String key, String hour, String endpoint, long requests, long tokens, String cost,
            long errors) {
        f.db.dsl().insertInto(API_USAGE_HOURLY)
                .set(API_USAGE_HOURLY.API_KEY_ID, UUID.fromString(key))
                .set(API_USAGE_HOURLY.USER_ID, UUID.fromString(userId))
                .set(API_USAGE_HOURLY.ENDPOINT, endpoint)
                .set(API_USAGE_HOURLY.HOUR, Instant.parse(hour))
                .set(API_USAGE_HOURLY.REQUEST_COUNT, requests)
                .set(API_USAGE_HOURLY.TOKENS_USED, tokens)
                .set(API_USAGE_HOURLY.COST_USD, new BigDecimal(cost))
                .set(API_USAGE_HOURLY.ERROR_COUNT, errors)
                .execute();
    }

    @AfterAll
    void close() {
        f.close();
    }

    @Test
    void hourlyBucketsForAKey() {
        AdminHttp.Response r = f.admin.get("/admin/usage?key_id=" + keyA
                + "&from=2030-01-01T00:00:00Z&to=2030-01-03T00:00:00Z&granularity=hour");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode b = r.json().get("buckets");
        assertThat(b).hasSize(3);
        assertThat(b.get(0).get("start").asText()).isEqualTo("2030-01-01T10:00:00Z");
        assertThat(b.get(0).get("requests").asLong()).isEqualTo(12);
        assertThat(b.get(0).get("tokens").asLong()).isEqualTo(1000);
        assertThat(b.get(0).get("errors").asLong()).isEqualTo(1);
        assertThat(r.text()).contains("\"cost_usd\":0.09000000");
        assertThat(r.json().get("totals").get("requests").asLong()).isEqualTo(18);
        assertThat(r.json().get("totals").get("errors").asLong()).isEqualTo(3);
        assertThat(r.json().get("granularity").asText()).isEqualTo("hour");
    }

    @Test
    void dayBucketsAreUtcDays() {
        AdminHttp.Response r = f.admin.get("/admin/usage?key_id=" + keyA + "&from=2030-01-01&to=2030-01-03&granularity=day");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode b = r.json().get("buckets");
        assertThat(b).hasSize(2);
        assertThat(b.get(0).get("start").asText()).isEqualTo("2030-01-01T00:00:00Z");
        assertThat(b.get(0).get("requests").asLong()).isEqualTo(17);
        assertThat(b.get(0).get("tokens").asLong()).isEqualTo(1500);
        assertThat(b.get(1).get("start").asText()).isEqualTo("2030-01-02T00:00:00Z");
        assertThat(b.get(1).get("requests").asLong()).isEqualTo(1);
    }

    @Test
    void userUsageSumsTheirKeysAndRespectsTheRange() {
        AdminHttp.Response r = f.token.get("/admin/usage?user_id=" + userId
                + "&from=2030-01-01T11:00:00Z&to=2030-01-02T00:00:00Z&granularity=day");
        assertThat(r.status()).isEqualTo(200);
        JsonNode b = r.json().get("buckets");
        assertThat(b).hasSize(1);
        assertThat(b.get(0).get("requests").asLong()).as("key B at 12:00 and key A at 23:00").isEqualTo(12);
        assertThat(r.json().get("user_id").asText()).isEqualTo(userId);
    }

    @Test
    void offsetsInTheQueryAreHonoured() {
        // 2030-01-01T12:00:00+02:00 is 10:00Z, so key A's 10:00 hour is in.
        AdminHttp.Response r = f.token.get("/admin/usage?key_id=" + keyA
                + "&from=2030-01-01T12:00:00%2B02:00&to=2030-01-01T11:00:00Z");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().get("buckets")).hasSize(1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "from=2030-01-01&to=2030-01-02                                     | key_id      | key_id, user_id: exactly one is required",
            "key_id=K&user_id=U&from=2030-01-01&to=2030-01-02                  | user_id     | key_id, user_id: exactly one is required",
            "key_id=nope&from=2030-01-01&to=2030-01-02                         | key_id      | key_id: \"nope\" (expected: an id (UUID))",
            "key_id=K&to=2030-01-02                                            | from        | from: missing (expected: an ISO-8601 time or UTC date; leave out both from and to for the current UTC month)",
            "key_id=K&from=2030-01-02                                          | to          | to: missing (expected: an ISO-8601 time or UTC date; leave out both from and to for the current UTC month)",
            "key_id=K&from=%2B999999998-01-01T00:00:00Z&to=%2B999999999-01-01T00:00:00Z | from | from: \"+999999998-01-01T00:00:00Z\" (expected: a time between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z)",
            "key_id=K&from=-5000-01-01T00:00:00Z&to=2030-01-02                 | from        | from: \"-5000-01-01T00:00:00Z\" (expected: a time between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z)",
            "key_id=K&from=2030-01-01&to=%00                                   | to          | to: \"\\u0000\" (expected: an ISO-8601 time such as 2030-01-31T00:00:00Z, or a date such as 2030-01-31)",
            "key_id=K&from=yesterday&to=2030-01-02                             | from        | from: \"yesterday\" (expected: an ISO-8601 time such as 2030-01-31T00:00:00Z, or a date such as 2030-01-31)",
            "key_id=K&from=2030-01-02&to=2030-01-01                            | to          | to: 2030-01-01T00:00:00Z (expected: after from, 2030-01-02T00:00:00Z)",
            "key_id=K&from=2030-01-01&to=2032-01-01                            | to          | to: 2032-01-01T00:00:00Z (expected: at most 366 days after from)",
            "key_id=K&from=2030-01-01&to=2030-01-02&granularity=week           | granularity | granularity: \"week\" (expected: hour or day)",
            "key_id=K&from=2030-01-01&to=2030-01-02&limit=5                    | limit       | unknown parameter: limit (expected: key_id or user_id, from, to, granularity)",
            "key_id=K&from=2030-01-01&from=2030-01-01&to=2030-01-02            | from        | from: given 2 times (expected: once)",
    })
    void badParametersAre400NamingThem(String query, String field, String message) {
        AdminHttp.Response r = f.token.get("/admin/usage?" + query.replace("K", keyA).replace("U", userId));
        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.errorField()).isEqualTo(field);
        assertThat(r.errorMessage()).isEqualTo(message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // clock                  | buckets of key A in that UTC month
            "2030-01-15T12:00:00Z     | 3",
            "2030-01-31T23:59:59Z     | 3",
            "2030-02-01T00:00:00Z     | 0",
            "2029-12-31T23:59:59Z     | 0",
    })
    void withoutFromAndToTheReportIsTheCurrentUtcMonthOfTheClock(String now, int buckets) {
        try (AdminFixture at = new AdminFixture(f.db, new FakeTime(Instant.parse(now)),
                ai.dalsi.gateway.config.AdminConfig.onPort(0).withToken(AdminFixture.TOKEN))) {
            AdminHttp.Response r = at.token.get("/admin/usage?key_id=" + keyA);
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            java.time.YearMonth month = java.time.YearMonth.from(Instant.parse(now).atZone(java.time.ZoneOffset.UTC));
            assertThat(r.json().get("from").asText()).isEqualTo(month.atDay(1) + "T00:00:00Z");
            assertThat(r.json().get("to").asText()).isEqualTo(month.plusMonths(1).atDay(1) + "T00:00:00Z");
            assertThat(r.json().get("buckets")).hasSize(buckets);
        }
    }

    @Test
    void unknownKeyOrUserIs404() {
        assertThat(f.token.get("/admin/usage?key_id=" + UUID.randomUUID() + "&from=2030-01-01&to=2030-01-02").status())
                .isEqualTo(404);
        assertThat(f.token.get("/admin/usage?user_id=" + UUID.randomUUID() + "&from=2030-01-01&to=2030-01-02")
                .status()).isEqualTo(404);
    }
}
