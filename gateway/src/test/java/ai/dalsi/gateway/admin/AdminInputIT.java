package ai.dalsi.gateway.admin;

import static ai.dalsi.gateway.admin.AdminHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whatever a field holds, the admin port answers with a 4xx naming it, in its own short JSON:
 * NUL and other control characters in every text field, times outside what PostgreSQL holds,
 * numbers with huge exponents, bodies nested too deep, followed by more JSON, or too large.
 */
@ExtendWith(FreshDatabaseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminInputIT {

    /** What no error message may contain: the parser's own words and names. */
    static final List<String> LIBRARY_WORDS = List.of("com.fasterxml", "jackson", "JsonNode", "StreamReadConstraints",
            "DeserializationFeature", "Exception", "`", "org.jooq", "org.postgresql", "java.");

    private final AdminFixture f;
    private final AdminFixture.Subjects at;
    private final String userId;

    AdminInputIT(TestDatabase db) {
        f = new AdminFixture(db);
        at = f.subjects("input");
        userId = at.userId();
    }

    @AfterAll
    void close() {
        f.close();
    }

    private AdminHttp.Response send(String method, String path, String body) {
        return f.token.send(method, at.fill(path),
                body == null ? null : json(at.fill(body).replace("NUL", "a\\u0000b")));
    }

    /** A 4xx in the admin API's JSON, short, in its own words. */
    static void wellFormedRefusal(AdminHttp.Response r) {
        assertThat(r.status()).as(r.text()).isBetween(400, 499);
        assertThat(r.json()).as("JSON error body: " + r.text()).isNotNull();
        assertThat(r.text().getBytes(StandardCharsets.UTF_8).length).as(r.text()).isLessThan(1024);
        for (String word : LIBRARY_WORDS) {
            assertThat(r.errorMessage()).as("names no library class").doesNotContainIgnoringCase(word);
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(delimiter = '|', value = {
            "POST  | /admin/users           | {'email':'NUL@example.com'}                                            | email",
            "POST  | /admin/users           | {'email':'n1@example.com','full_name':'NUL'}                           | full_name",
            "POST  | /admin/keys            | {'user_id':'USER','name':'NUL','scopes':['ai.chat']}                   | name",
            "POST  | /admin/keys            | {'user_id':'NUL','name':'k','scopes':['ai.chat']}                      | user_id",
            "POST  | /admin/keys            | {'user_id':'USER','name':'k','scopes':['NUL']}                         | scopes",
            "POST  | /admin/keys            | {'user_id':'USER','name':'k','scopes':['ai.chat'],'environment':'NUL'} | environment",
            "POST  | /admin/keys            | {'user_id':'USER','name':'k','scopes':['ai.chat'],'subscription_tier':'NUL'} | subscription_tier",
            "POST  | /admin/keys            | {'user_id':'USER','name':'k','scopes':['ai.chat'],'allowed_ips':['NUL']} | allowed_ips",
            "POST  | /admin/keys            | {'user_id':'USER','name':'k','scopes':['ai.chat'],'webhook_url':'https://h.example/NUL'} | webhook_url",
            "POST  | /admin/keys            | {'user_id':'USER','name':'k','scopes':['ai.chat'],'expires_at':'NUL'}  | expires_at",
            "PATCH | /admin/keys/KEY        | {'name':'NUL'}                                                         | name",
            "PATCH | /admin/keys/KEY        | {'webhook_url':'https://h.example/NUL'}                                | webhook_url",
            "PATCH | /admin/keys/KEY        | {'allowed_ips':['10.0.0.1','NUL']}                                     | allowed_ips",
            "PATCH | /admin/keys/KEY        | {'expires_at':'2031-01-01T00:00:00ZNUL'}                               | expires_at",
            "POST  | /admin/keys/KEY/revoke | {'reason':'NUL'}                                                       | reason",
            "POST  | /admin/products        | {'name':'NUL','endpoints':['/v1/n']}                                   | name",
            "POST  | /admin/products        | {'name':'ai.n','endpoints':['/v1/NUL']}                                | endpoints",
            "POST  | /admin/products        | {'name':'ai.n','endpoints':['/v1/n'],'display_name':'NUL'}             | display_name",
            "POST  | /admin/products        | {'name':'ai.n','endpoints':['/v1/n'],'category':'NUL'}                 | category",
            "POST  | /admin/products        | {'name':'ai.n','endpoints':['/v1/n'],'required_scopes':['NUL']}        | required_scopes",
            "POST  | /admin/products        | {'name':'ai.n','endpoints':['/v1/n'],'required_subscription_tier':'NUL'} | required_subscription_tier",
            "PATCH | /admin/products/PRODUCT | {'description':'NUL'}                                                 | description",
            "POST  | /admin/models          | {'name':'NUL'}                                                         | name",
            "POST  | /admin/models          | {'name':'m-n','type':'NUL'}                                            | type",
            "POST  | /admin/models          | {'name':'m-n','capabilities':{'NUL':true}}                             | capabilities",
            "POST  | /admin/models          | {'name':'m-n','capabilities':{'vision':['x','NUL']}}                   | capabilities",
            "POST  | /admin/models          | {'name':'m-n','pricing':{'NUL':1}}                                     | pricing",
            "PATCH | /admin/models/MODEL    | {'version':'NUL'}                                                      | version",
            "POST  | /admin/users           | {'NUL':1}                                                              | a\\u0000b",
    })
    void aNulInAnyTextFieldIs400NamingTheField(String method, String path, String body, String field) {
        AdminHttp.Response r = send(method, path, body);
        wellFormedRefusal(r);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorField()).isEqualTo(field);
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(delimiter = '|', value = {
            "POST  | /admin/keys     | {'user_id':'USER','name':'k','scopes':['ai.chat'],'expires_at':'+999999999-01-01T00:00:00Z'} | expires_at",
            "POST  | /admin/keys     | {'user_id':'USER','name':'k','scopes':['ai.chat'],'expires_at':'-5000-01-01T00:00:00Z'}      | expires_at",
            "PATCH | /admin/keys/KEY | {'expires_at':'+10000-01-01T00:00:00Z'}                                                   | expires_at",
            "PATCH | /admin/keys/KEY | {'expires_at':'-000001-12-31T23:59:59Z'}                                                  | expires_at",
    })
    void timesOutsideWhatTheDatabaseHoldsAre400(String method, String path, String body, String field) {
        AdminHttp.Response r = send(method, path, body);
        wellFormedRefusal(r);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorField()).isEqualTo(field);
        assertThat(r.errorMessage()).endsWith("(expected: a time between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z)");
    }

    @Test
    void theLastTimeOfYear9999IsAccepted() {
        AdminHttp.Response r = send("PATCH", "/admin/keys/KEY", "{'expires_at':'9999-12-31T23:59:59Z'}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().get("expires_at").asText()).isEqualTo("9999-12-31T23:59:59Z");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "/admin/usage?key_id=KEY&from=%2B999999998-01-01T00:00:00Z&to=%2B999999999-01-01T00:00:00Z | from",
            "/admin/usage?key_id=KEY&from=2030-01-01&to=%2B999999999-01-01T00:00:00Z                     | to",
            "/admin/usage?key_id=KEY&from=-5000-01-01T00:00:00Z&to=-4999-01-01T00:00:00Z                 | from",
            "/admin/usage?key_id=%00&from=2030-01-01&to=2030-01-02                                        | key_id",
            "/admin/usage?user_id=a%00b&from=2030-01-01&to=2030-01-02                                     | user_id",
            "/admin/usage?key_id=KEY&from=2030-01-01&to=2030-01-02&granularity=%00                        | granularity",
            "/admin/usage?key_id=KEY&from=2030-01-01&to=2030-01-02&a%00b=1                                | a\\u0000b",
            "/admin/keys?user_id=%00                                                                      | user_id",
    })
    void queryParametersOfAnyContentAre400NamingThem(String query, String field) {
        AdminHttp.Response r = send("GET", query, null);
        wellFormedRefusal(r);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorField()).isEqualTo(field);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "POST  | /admin/products     | {'name':'ai.big','endpoints':['/v1/big'],'base_price_usd':1e1000000} | base_price_usd      | base_price_usd: 1E+1000000 (expected: a price from 0 to 1000000 with at most 8 decimal places)",
            "POST  | /admin/products     | {'name':'ai.big','endpoints':['/v1/big'],'base_price_usd':1e999999999} | base_price_usd    | base_price_usd: 1E+999999999 (expected: a price from 0 to 1000000 with at most 8 decimal places)",
            "POST  | /admin/products     | {'name':'ai.big','endpoints':['/v1/big'],'price_per_1k_tokens':-1e1000000} | price_per_1k_tokens | price_per_1k_tokens: -1E+1000000 (expected: >= 0)",
            "POST  | /admin/models       | {'name':'m-big','pricing':{'input_per_1k':-1e1000000}}                 | pricing.input_per_1k | pricing.input_per_1k: -1E+1000000 (expected: >= 0)",
            "POST  | /admin/models       | {'name':'m-big','pricing':{'output_per_1k':1e-1000000}}                | pricing.output_per_1k | pricing.output_per_1k: 1E-1000000 (expected: a price from 0 to 1000000 with at most 8 decimal places)",
            "PATCH | /admin/keys/KEY     | {'rate_limit_per_minute':-1e1000000}                                    | rate_limit_per_minute | rate_limit_per_minute: -1E+1000000 (expected: an integer > 0)",
            "POST  | /admin/models       | {'name':'m-big','capabilities':{'context':1e1000000}}                  | capabilities        | capabilities.context: 1E+1000000 (expected: a number of at most 100 digits before and after the decimal point)",
            "POST  | /admin/products     | {'name':'ai.big','endpoints':['/v1/big'],'max_tokens_per_request':123456789012345678901234567890123456789012345678901234567890} | max_tokens_per_request | max_tokens_per_request: 1.23456789E+59 (expected: an integer > 0)",
    })
    void hugeNumbersAreEchoedShortened(String method, String path, String body, String field, String message) {
        AdminHttp.Response r = send(method, path, body);
        wellFormedRefusal(r);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorField()).isEqualTo(field);
        assertThat(r.errorMessage()).isEqualTo(message);
    }

    @Test
    void anExponentNoDecimalCanHoldIs400() {
        AdminHttp.Response r = send("POST", "/admin/products",
                "{'name':'ai.big','endpoints':['/v1/big'],'base_price_usd':1e999999999999}");
        wellFormedRefusal(r);
        assertThat(r.errorField()).isEqualTo("body");
        assertThat(r.errorMessage()).startsWith("body: a number out of range at line 1");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{'email':'x@example.com'} {}",
            "{'email':'x@example.com'}x",
            "{'email':'x@example.com'}]",
            "DEEP_OBJECTS",
            "DEEP_ARRAYS",
            "{'email':LONG_NUMBER}",
            "{'LONG_NAME':1}",
            "{'email':NaN}",
            "{'email':'x@example.com'",
            "null",
            "'just a string'",
            "[{'email':'x@example.com'}]",
            "{'email':'x@example.com','email':'x@example.com'}",
    })
    void malformedBodiesAreAnsweredInTheAdminApisWords(String body) {
        String b = body.replace("DEEP_OBJECTS", "{'a':".repeat(2000) + "1" + "}".repeat(2000))
                .replace("DEEP_ARRAYS", "{'email':" + "[".repeat(5000))
                .replace("LONG_NUMBER", "9".repeat(5000))
                .replace("LONG_NAME", "n".repeat(5000));
        AdminHttp.Response r = f.token.post("/admin/users", json(b));
        wellFormedRefusal(r);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorField()).isEqualTo("body");
        assertThat(r.errorMessage()).startsWith("body: ");
    }

    @Test
    void aBodyOverTheLimitIs413InTheAdminApisJson() {
        String fiveMegabytes = "{\"email\":\"" + "x".repeat(5 * 1024 * 1024) + "@example.com\"}";
        AdminHttp.Response r = f.token.send("POST", "/admin/users", fiveMegabytes,
                Map.of("Content-Type", "application/json"));
        assertThat(r.status()).isEqualTo(413);
        wellFormedRefusal(r);
        assertThat(r.errorMessage()).isEqualTo("body: larger than 1048576 bytes (expected: at most admin.maxRequestBytes)");
        assertThat(f.token.get("/admin/users/" + userId).status()).as("the port still answers").isEqualTo(200);
    }

    @Test
    void credentialsNoAccountCanHaveAre401WithoutAServerError() {
        for (AdminHttp caller : List.of(f.anonymous.withBasic("a\u0000b", "whatever-password"),
                f.anonymous.withBasic("x".repeat(500), "whatever-password"),
                f.anonymous.withBasic(AdminFixture.ADMIN_USER, "p".repeat(100)))) {
            AdminHttp.Response r = caller.get("/admin/products");
            assertThat(r.status()).as(r.text()).isEqualTo(401);
            assertThat(r.errorMessage()).isEqualTo("invalid credentials");
        }
    }

    @Test
    void missingCredentialsSayMissingNotInvalid() {
        AdminHttp.Response noHeader = f.anonymous.get("/admin/keys?user_id=" + userId);
        assertThat(noHeader.errorMessage()).startsWith("missing credentials");
        // What curl sends for -H "Authorization: Bearer $GATEWAY_ADMIN_TOKEN" with the variable unset.
        AdminHttp.Response emptyToken = f.anonymous.withAuthorization("Bearer ").get("/admin/keys?user_id=" + userId);
        assertThat(emptyToken.status()).isEqualTo(401);
        assertThat(emptyToken.errorMessage()).startsWith("missing admin token")
                .contains("GATEWAY_ADMIN_TOKEN");
        AdminHttp.Response noPassword = f.anonymous.withBasic(AdminFixture.ADMIN_USER, "").get("/admin/products");
        assertThat(noPassword.errorMessage()).startsWith("missing password");
        AdminHttp.Response noUser = f.anonymous.withBasic("", "some-password").get("/admin/products");
        assertThat(noUser.errorMessage()).startsWith("missing username");
        AdminHttp.Response wrong = f.anonymous.withBearer("not-the-token-at-all").get("/admin/products");
        assertThat(wrong.errorMessage()).isEqualTo("invalid credentials");
    }

    @Test
    void anUnknownPathOfAnyLengthIsEchoedShortened() {
        AdminHttp.Response r = f.token.get("/admin/" + "x".repeat(3000) + "%00");
        assertThat(r.status()).isEqualTo(404);
        wellFormedRefusal(r);
    }
}
