package ai.dalsi.gateway.admin;

import static ai.dalsi.gateway.admin.AdminHttp.json;
import static ai.dalsi.persistence.schema.Tables.API_KEYS;
import static ai.dalsi.persistence.schema.Tables.API_KEY_REVOCATIONS;
import static ai.dalsi.persistence.schema.Tables.A_USERS;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.auth.ApiKeyFormat;
import ai.dalsi.gateway.auth.KeyEnvironment;
import ai.dalsi.persistence.repo.ApiKeyRepository;
import ai.dalsi.persistence.repo.StoredKey;
import ai.dalsi.persistence.schema.tables.records.ApiKeyRevocationsRecord;
import ai.dalsi.persistence.schema.tables.records.ApiKeysRecord;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The key lifecycle through the admin API, checked against the rows it leaves. */
@ExtendWith(FreshDatabaseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeyAdminIT {

    private final AdminFixture f;
    private final String userId;

    KeyAdminIT(TestDatabase db) {
        f = new AdminFixture(db);
        // The scopes a key may hold are those the catalog's products require.
        new ai.dalsi.gateway.testing.EdgeSeed(db.dsl()).standardCatalog();
        userId = f.newUser("keys@example.com");
    }

    @AfterAll
    void close() {
        f.close();
    }

    private AdminHttp.Response create(String extraJson) {
        return f.token.post("/admin/keys", json("{'user_id':'" + userId + "','name':'ci key','scopes':['ai.chat']"
                + (extraJson.isEmpty() ? "" : "," + extraJson) + "}"));
    }

    private ApiKeysRecord row(String id) {
        return f.db.dsl().selectFrom(API_KEYS).where(API_KEYS.ID.eq(UUID.fromString(id))).fetchOne();
    }

    @Test
    void createdKeyIsShownOnceAndOnlyItsHashIsStored() {
        AdminHttp.Response r = create("");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        String key = r.json().get("key").asText();
        assertThat(ApiKeyFormat.environmentOf(key)).isEqualTo(KeyEnvironment.PRODUCTION);
        assertThat(r.json().get("key_prefix").asText()).isEqualTo(key.substring(0, 12));
        assertThat(r.json().has("key_hash")).isFalse();

        ApiKeysRecord stored = row(r.json().get("id").asText());
        assertThat(stored.getKeyHash()).isEqualTo(ApiKeyFormat.sha256Hex(key));
        assertThat(f.db.dsl().fetchCount(API_KEYS, API_KEYS.KEY_HASH.eq(key))).isZero();

        AdminHttp.Response g = f.token.get("/admin/keys/" + stored.getId());
        assertThat(g.status()).isEqualTo(200);
        assertThat(g.text()).doesNotContain(key).doesNotContain(stored.getKeyHash());
        assertThat(g.json().has("key")).isFalse();
        assertThat(g.json().has("key_hash")).isFalse();
    }

    @Test
    void defaultsComeFromTheSchema() {
        JsonNode k = create("").json();
        assertThat(k.get("rate_limit_per_minute").asInt()).isEqualTo(60);
        assertThat(k.get("rate_limit_per_hour").asInt()).isEqualTo(1000);
        assertThat(k.get("rate_limit_per_day").asInt()).isEqualTo(10000);
        assertThat(k.get("subscription_tier").asText()).isEqualTo("free");
        assertThat(k.get("environment").asText()).isEqualTo("production");
        assertThat(k.get("is_internal").asBoolean()).isFalse();
        assertThat(k.get("is_active").asBoolean()).isTrue();
        assertThat(k.get("status").asText()).isEqualTo("active");
        assertThat(k.get("allowed_ips").isNull()).isTrue();
        assertThat(k.get("total_requests").asLong()).isZero();
        assertThat(k.get("total_cost_usd").decimalValue()).isZero();
    }

    @Test
    void everySettingCanBeGivenAtCreation() {
        Instant expiry = Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        AdminHttp.Response r = f.token.post("/admin/keys", json("{'user_id':'" + userId + "','name':'full',"
                + "'scopes':['ai.chat','ai.image'],'environment':'development','subscription_tier':'pro',"
                + "'rate_limit_per_minute':5,'rate_limit_per_hour':50,'rate_limit_per_day':500,"
                + "'allowed_ips':['203.0.113.7','10.0.0.0/8','2001:db8::/32','::1'],'expires_at':'" + expiry + "',"
                + "'is_internal':true,'webhook_url':'https://hooks.example.com/k'}"));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(r.json().get("key").asText()).startsWith("dsk_test_");
        StoredKey stored = new ApiKeyRepository(f.db.dsl()).findById(UUID.fromString(r.json().get("id").asText()))
                .orElseThrow();
        assertThat(stored.scopes()).containsExactly("ai.chat", "ai.image");
        assertThat(stored.environment()).isEqualTo("development");
        assertThat(stored.subscriptionTier()).isEqualTo("pro");
        assertThat(stored.rateLimitPerMinute()).isEqualTo(5);
        assertThat(stored.rateLimitPerHour()).isEqualTo(50);
        assertThat(stored.rateLimitPerDay()).isEqualTo(500);
        assertThat(stored.allowedIps()).containsExactly("203.0.113.7", "10.0.0.0/8", "2001:db8::/32", "::1");
        assertThat(stored.expiresAt()).isEqualTo(expiry);
        assertThat(stored.internal()).isTrue();
        assertThat(row(stored.id().toString()).getWebhookUrl()).isEqualTo("https://hooks.example.com/k");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "'rate_limit_per_minute':-5          | rate_limit_per_minute | rate_limit_per_minute: -5 (expected: > 0)",
            "'rate_limit_per_minute':0           | rate_limit_per_minute | rate_limit_per_minute: 0 (expected: > 0)",
            "'rate_limit_per_hour':'100'         | rate_limit_per_hour   | rate_limit_per_hour: \"100\" (expected: an integer > 0)",
            "'rate_limit_per_day':1.5            | rate_limit_per_day    | rate_limit_per_day: 1.5 (expected: an integer > 0)",
            "'rate_limit_per_day':99999999999    | rate_limit_per_day    | rate_limit_per_day: 99999999999 (expected: an integer > 0)",
            "'subscription_tier':'gold'          | subscription_tier     | subscription_tier: \"gold\" (expected: one of enterprise, free, pro)",
            "'environment':'staging'             | environment           | environment: \"staging\" (expected: one of development, production)",
            "'allowed_ips':['10.0.0.300']        | allowed_ips           | allowed_ips[0]: \"10.0.0.300\" (expected: an IPv4 or IPv6 address or CIDR range such as 203.0.113.0/24)",
            "'allowed_ips':['10.0.0.0/33']       | allowed_ips           | allowed_ips[0]: \"10.0.0.0/33\" (expected: an IPv4 or IPv6 address or CIDR range such as 203.0.113.0/24)",
            "'allowed_ips':['::1/129']           | allowed_ips           | allowed_ips[0]: \"::1/129\" (expected: an IPv4 or IPv6 address or CIDR range such as 203.0.113.0/24)",
            "'allowed_ips':['1.2.3.4','example.com'] | allowed_ips       | allowed_ips[1]: \"example.com\" (expected: an IPv4 or IPv6 address or CIDR range such as 203.0.113.0/24)",
            "'allowed_ips':[]                    | allowed_ips           | allowed_ips: [] (expected: at least one address or CIDR range; null allows every address)",
            "'allowed_ips':'1.2.3.4'             | allowed_ips           | allowed_ips: \"1.2.3.4\" (expected: a list of strings)",
            "'expires_at':'2001-01-01T00:00:00Z' | expires_at            | ",
            "'expires_at':'next tuesday'         | expires_at            | expires_at: \"next tuesday\" (expected: an ISO-8601 time with offset such as 2030-01-31T00:00:00Z)",
            "'expires_at':'2031-01-01T00:00:00'  | expires_at            | expires_at: \"2031-01-01T00:00:00\" (expected: an ISO-8601 time with offset such as 2030-01-31T00:00:00Z)",
            "'expires_at':'+999999999-01-01T00:00:00Z' | expires_at      | expires_at: \"+999999999-01-01T00:00:00Z\" (expected: a time between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z)",
            "'expires_at':'+10000-01-01T00:00:00Z' | expires_at          | expires_at: \"+10000-01-01T00:00:00Z\" (expected: a time between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z)",
            "'rate_limit_per_day':1e1000000      | rate_limit_per_day    | rate_limit_per_day: 1E+1000000 (expected: an integer > 0)",
            "'webhook_url':'ftp://x.example/h'   | webhook_url           | webhook_url: \"ftp://x.example/h\" (expected: an http:// or https:// URL)",
            "'webhook_url':'not a url'           | webhook_url           | webhook_url: \"not a url\" (expected: an http:// or https:// URL)",
            "'is_internal':'yes'                 | is_internal           | is_internal: \"yes\" (expected: true or false)",
            "'colour':'blue'                     | colour                | ",
    })
    void badSettingsAre400NamingTheField(String extra, String field, String message) {
        int before = f.db.dsl().fetchCount(API_KEYS);
        AdminHttp.Response r = create(extra);
        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.errorField()).isEqualTo(field);
        if (message != null) {
            assertThat(r.errorMessage()).isEqualTo(message);
        } else {
            assertThat(r.errorMessage()).startsWith(field.equals("colour") ? "unknown field: colour" : field + ": ");
        }
        assertThat(f.db.dsl().fetchCount(API_KEYS)).as("nothing stored").isEqualTo(before);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{'name':'x','scopes':['ai.chat']}                                   | user_id | user_id: missing (expected: an id (UUID))",
            "{'user_id':'nope','name':'x','scopes':['ai.chat']}                 | user_id | user_id: \"nope\" (expected: an id (UUID))",
            "{'user_id':'USER','scopes':['ai.chat']}                             | name    | name: missing (expected: a string)",
            "{'user_id':'USER','name':'x'}                                        | scopes  | scopes: missing (expected: a list of the scopes products require: ai.chat, ai.code, ai.image)",
            "{'user_id':'USER','name':'x','scopes':[]}                            | scopes  | scopes: [] (expected: at least one of ai.chat, ai.code, ai.image)",
            "{'user_id':'USER','name':'x','scopes':['ai.video']}                  | scopes  | scopes[0]: \"ai.video\" (expected: one of the scopes products require: ai.chat, ai.code, ai.image)",
            "{'user_id':'USER','name':'x','scopes':['ai.chat','ai.chat']}         | scopes  | scopes[1]: \"ai.chat\" repeated (expected: distinct values)",
    })
    void requiredFieldsAreChecked(String body, String field, String message) {
        AdminHttp.Response r = f.token.post("/admin/keys", json(body.replace("USER", userId)));
        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.errorField()).isEqualTo(field);
        assertThat(r.errorMessage()).isEqualTo(message);
    }

    @Test
    void keyForAnUnknownUserIs404() {
        AdminHttp.Response r = f.token.post("/admin/keys", json("{'user_id':'" + UUID.randomUUID()
                + "','name':'x','scopes':['ai.chat']}"));
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.errorField()).isEqualTo("user_id");
    }

    @Test
    void listsAUsersKeysWithoutHashes() {
        String other = f.newUser("list@example.com");
        for (String name : List.of("first", "second")) {
            assertThat(f.token.post("/admin/keys", json("{'user_id':'" + other + "','name':'" + name
                    + "','scopes':['ai.code']}")).status()).isEqualTo(201);
        }
        AdminHttp.Response r = f.token.get("/admin/keys?user_id=" + other);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("data")).hasSize(2);
        assertThat(r.json().get("data").get(0).get("name").asText()).isEqualTo("first");
        assertThat(r.text()).doesNotContain("key_hash").doesNotContain("\"key\"");

        assertThat(f.token.get("/admin/keys?user_id=" + UUID.randomUUID()).status()).isEqualTo(404);
        assertThat(f.token.get("/admin/keys").status()).isEqualTo(400);
        assertThat(f.token.get("/admin/keys?user_id=xyz").errorField()).isEqualTo("user_id");
        assertThat(f.token.get("/admin/keys?user=" + other).errorMessage()).isEqualTo(
                "unknown parameter: user (expected: user_id)");
    }

    @Test
    void getIncludesTheUsageTotals() {
        String id = create("").json().get("id").asText();
        f.db.dsl().update(API_KEYS)
                .set(API_KEYS.TOTAL_REQUESTS, 42L)
                .set(API_KEYS.TOTAL_TOKENS_USED, 4200L)
                .set(API_KEYS.TOTAL_COST_USD, new java.math.BigDecimal("0.00000123"))
                .set(API_KEYS.LAST_USED_AT, Instant.parse("2030-01-02T03:04:05Z"))
                .set(API_KEYS.LAST_USED_IP, "198.51.100.9")
                .set(API_KEYS.LAST_USED_ENDPOINT, "/v1/chat/completions")
                .where(API_KEYS.ID.eq(UUID.fromString(id))).execute();
        AdminHttp.Response r = f.token.get("/admin/keys/" + id);
        JsonNode k = r.json();
        assertThat(r.text()).as("money as an exact decimal").contains("\"total_cost_usd\":0.00000123");
        assertThat(k.get("total_requests").asLong()).isEqualTo(42);
        assertThat(k.get("total_tokens_used").asLong()).isEqualTo(4200);
        assertThat(k.get("last_used_at").asText()).isEqualTo("2030-01-02T03:04:05Z");
        assertThat(k.get("last_used_ip").asText()).isEqualTo("198.51.100.9");
        assertThat(k.get("last_used_endpoint").asText()).isEqualTo("/v1/chat/completions");
    }

    @Test
    void patchChangesTheGivenSettingsOnly() {
        JsonNode created = create("'allowed_ips':['10.1.2.3'],'webhook_url':'https://a.example/h'").json();
        String id = created.get("id").asText();
        Instant expiry = Instant.now().plus(7, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        AdminHttp.Response r = f.token.patch("/admin/keys/" + id, json("{'rate_limit_per_minute':7,"
                + "'rate_limit_per_day':70000,'scopes':['ai.code'],'subscription_tier':'enterprise','name':'renamed',"
                + "'allowed_ips':['192.0.2.0/24'],'expires_at':'" + expiry + "'}"));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        ApiKeysRecord row = row(id);
        assertThat(row.getRateLimitPerMinute()).isEqualTo(7);
        assertThat(row.getRateLimitPerHour()).as("unchanged").isEqualTo(1000);
        assertThat(row.getRateLimitPerDay()).isEqualTo(70000);
        assertThat(row.getName()).isEqualTo("renamed");
        assertThat(row.getSubscriptionTier()).isEqualTo("enterprise");
        assertThat(row.getAllowedIps()).containsExactly("192.0.2.0/24");
        assertThat(row.getExpiresAt()).isEqualTo(expiry);
        assertThat(row.getWebhookUrl()).as("unchanged").isEqualTo("https://a.example/h");
        assertThat(row.getUpdatedAt()).isAfter(Instant.parse(created.get("updated_at").asText()));
        assertThat(r.json().get("scopes").get(0).asText()).isEqualTo("ai.code");

        AdminHttp.Response cleared = f.token.patch("/admin/keys/" + id,
                json("{'allowed_ips':null,'expires_at':null,'webhook_url':null}"));
        assertThat(cleared.status()).isEqualTo(200);
        assertThat(row(id).getAllowedIps()).isNull();
        assertThat(row(id).getExpiresAt()).isNull();
        assertThat(row(id).getWebhookUrl()).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{}                                | body                  | body: no field to change (expected: one or more of allowed_ips, expires_at, is_internal, monthly_budget_usd, name, rate_limit_per_day, rate_limit_per_hour, rate_limit_per_minute, rate_limit_tokens_per_day, rate_limit_tokens_per_minute, scopes, subscription_tier, webhook_url)",
            "{'rate_limit_per_hour':-1}        | rate_limit_per_hour   | rate_limit_per_hour: -1 (expected: > 0)",
            "{'rate_limit_per_minute':null}    | rate_limit_per_minute | rate_limit_per_minute: null (expected: a value; this setting cannot be cleared)",
            "{'environment':'development'}     | environment           | environment: cannot be changed (rotate or issue a new key instead)",
            "{'key_hash':'00'}                 | key_hash              | ",
            "{'scopes':['ai.everything']}      | scopes                | scopes[0]: \"ai.everything\" (expected: one of the scopes products require: ai.chat, ai.code, ai.image)",
            "{'allowed_ips':['300.1.1.1']}     | allowed_ips           | allowed_ips[0]: \"300.1.1.1\" (expected: an IPv4 or IPv6 address or CIDR range such as 203.0.113.0/24)",
    })
    void badPatchIs400AndChangesNothing(String body, String field, String message) {
        String id = create("").json().get("id").asText();
        ApiKeysRecord before = row(id);
        AdminHttp.Response r = f.token.patch("/admin/keys/" + id, json(body));
        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.errorField()).isEqualTo(field);
        if (message != null) {
            assertThat(r.errorMessage()).isEqualTo(message);
        }
        assertThat(row(id)).isEqualTo(before);
    }

    @Test
    void patchOfAnUnknownKeyIs404() {
        AdminHttp.Response r = f.token.patch("/admin/keys/" + UUID.randomUUID(), json("{'name':'x'}"));
        assertThat(r.status()).isEqualTo(404);
        assertThat(f.token.get("/admin/keys/" + UUID.randomUUID()).status()).isEqualTo(404);
    }

    @Test
    void revokeMarksTheKeyAndWritesTheRevocationRow() {
        String id = create("").json().get("id").asText();
        AdminHttp.Response r = f.admin.post("/admin/keys/" + id + "/revoke", json("{'reason':'leaked in a gist'}"));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().get("status").asText()).isEqualTo("revoked");

        UUID aliceId = f.db.dsl().select(A_USERS.ID).from(A_USERS).where(A_USERS.USERNAME.eq(AdminFixture.ADMIN_USER))
                .fetchOne(A_USERS.ID);
        ApiKeysRecord row = row(id);
        assertThat(row.getIsActive()).isFalse();
        assertThat(row.getRevokedAt()).isNotNull();
        assertThat(row.getRevokedBy()).isEqualTo(aliceId);
        assertThat(row.getRevokeReason()).isEqualTo("leaked in a gist");

        List<ApiKeyRevocationsRecord> revocations = f.db.dsl().selectFrom(API_KEY_REVOCATIONS)
                .where(API_KEY_REVOCATIONS.API_KEY_ID.eq(UUID.fromString(id))).fetch();
        assertThat(revocations).hasSize(1);
        ApiKeyRevocationsRecord rev = revocations.get(0);
        assertThat(rev.getRevokeType()).isEqualTo("manual");
        assertThat(rev.getRevokeReason()).isEqualTo("leaked in a gist");
        assertThat(rev.getRevokedBy()).isEqualTo(aliceId);
        assertThat(rev.getUserId()).isEqualTo(UUID.fromString(userId));
        assertThat(rev.getIpAddress()).isEqualTo("127.0.0.1");
        assertThat(rev.getUserAgent()).isEqualTo("admin-tests/1.0");
        assertThat(rev.getRevokedAt()).isEqualTo(row.getRevokedAt());
    }

    @Test
    void revokingTwiceIs409AndWritesNoSecondRow() {
        String id = create("").json().get("id").asText();
        assertThat(f.token.post("/admin/keys/" + id + "/revoke", json("{'reason':'first'}")).status()).isEqualTo(200);
        AdminHttp.Response again = f.token.post("/admin/keys/" + id + "/revoke", json("{'reason':'second'}"));
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.errorMessage()).contains("already revoked").contains("first");
        assertThat(f.db.dsl().fetchCount(API_KEY_REVOCATIONS, API_KEY_REVOCATIONS.API_KEY_ID.eq(UUID.fromString(id))))
                .isEqualTo(1);
        assertThat(row(id).getRevokeReason()).isEqualTo("first");
        assertThat(row(id).getRevokedBy()).as("bootstrap token has no a_users row").isNull();
    }

    @Test
    void revokeWithoutABodyOrAReasonRecordsTheDefaultReason() {
        for (String body : new String[] {null, "{}", "{\"reason\":null}"}) {
            String id = create("").json().get("id").asText();
            AdminHttp.Response r = f.token.send("POST", "/admin/keys/" + id + "/revoke", body);
            assertThat(r.status()).as(body + ": " + r.text()).isEqualTo(200);
            assertThat(r.json().get("revoke_reason").asText()).isEqualTo(KeyRoutes.DEFAULT_REVOKE_REASON);
            assertThat(row(id).getRevokeReason()).isEqualTo("revoked by an admin");
            assertThat(f.db.dsl().selectFrom(API_KEY_REVOCATIONS)
                    .where(API_KEY_REVOCATIONS.API_KEY_ID.eq(UUID.fromString(id))).fetchOne().getRevokeReason())
                    .isEqualTo("revoked by an admin");
        }
    }

    @Test
    void revokeNeedsAKnownKeyAndAUsableReason() {
        String id = create("").json().get("id").asText();
        AdminHttp.Response empty = f.token.post("/admin/keys/" + id + "/revoke", json("{'reason':'  '}"));
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.errorField()).isEqualTo("reason");
        assertThat(f.token.post("/admin/keys/" + UUID.randomUUID() + "/revoke", json("{'reason':'x'}")).status())
                .isEqualTo(404);
        assertThat(f.token.patch("/admin/keys/" + id, json("{'name':'still changeable'}")).status()).isEqualTo(200);
        f.token.post("/admin/keys/" + id + "/revoke", json("{'reason':'done'}"));
        assertThat(f.token.patch("/admin/keys/" + id, json("{'name':'too late'}")).status()).isEqualTo(409);
    }

    @Test
    void rotateIssuesANewKeyWithTheSameSettingsAndRevokesTheOld() {
        JsonNode old = create("'subscription_tier':'pro','rate_limit_per_minute':9,'allowed_ips':['198.51.100.0/24'],"
                + "'environment':'development','is_internal':true").json();
        String oldId = old.get("id").asText();
        AdminHttp.Response r = f.superAdmin.post("/admin/keys/" + oldId + "/rotate", null);
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        String newKey = r.json().get("key").asText();
        String newId = r.json().get("id").asText();
        assertThat(newId).isNotEqualTo(oldId);
        assertThat(r.json().get("rotated_from").asText()).isEqualTo(oldId);
        assertThat(newKey).startsWith("dsk_test_").isNotEqualTo(old.get("key").asText());

        StoredKey fresh = new ApiKeyRepository(f.db.dsl()).findByHash(ApiKeyFormat.sha256Hex(newKey)).orElseThrow();
        assertThat(fresh.id()).isEqualTo(UUID.fromString(newId));
        assertThat(fresh.active()).isTrue();
        assertThat(fresh.revoked()).isFalse();
        assertThat(fresh.userId()).isEqualTo(UUID.fromString(userId));
        assertThat(fresh.name()).isEqualTo("ci key");
        assertThat(fresh.scopes()).containsExactly("ai.chat");
        assertThat(fresh.subscriptionTier()).isEqualTo("pro");
        assertThat(fresh.rateLimitPerMinute()).isEqualTo(9);
        assertThat(fresh.allowedIps()).containsExactly("198.51.100.0/24");
        assertThat(fresh.environment()).isEqualTo("development");
        assertThat(fresh.internal()).isTrue();

        ApiKeysRecord oldRow = row(oldId);
        assertThat(oldRow.getRevokedAt()).isNotNull();
        assertThat(oldRow.getRevokeReason()).isEqualTo("rotated");
        assertThat(oldRow.getIsActive()).isFalse();
        ApiKeyRevocationsRecord rev = f.db.dsl().selectFrom(API_KEY_REVOCATIONS)
                .where(API_KEY_REVOCATIONS.API_KEY_ID.eq(UUID.fromString(oldId))).fetchOne();
        assertThat(rev.getRevokeReason()).isEqualTo("rotated");
        assertThat(rev.getRevokeType()).isEqualTo("manual");

        AdminHttp.Response again = f.token.post("/admin/keys/" + oldId + "/rotate", null);
        assertThat(again.status()).isEqualTo(409);
        assertThat(f.db.dsl().fetchCount(API_KEYS, API_KEYS.USER_ID.eq(UUID.fromString(userId))
                .and(API_KEYS.REVOKED_AT.isNull()).and(API_KEYS.RATE_LIMIT_PER_MINUTE.eq(9)))).isEqualTo(1);
        assertThat(f.token.post("/admin/keys/" + UUID.randomUUID() + "/rotate", null).status()).isEqualTo(404);
    }
}
