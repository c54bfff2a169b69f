package ai.dalsi.gateway.admin;

import static ai.dalsi.gateway.admin.AdminHttp.json;
import static ai.dalsi.persistence.schema.Tables.USERS;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.config.AdminConfig;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A web page cannot write through an admin's browser: state-changing requests from another origin
 * (or a cross-site fetch that hides its origin) are 403, JSON bodies need a JSON content type (415
 * otherwise), while scripts and curl, which send no Origin, keep working.
 */
@ExtendWith(FreshDatabaseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossSiteWritesIT {

    private static final String ALLOWED = "https://ops.example.com";

    private final AdminFixture f;
    private final String own;

    CrossSiteWritesIT(TestDatabase db) {
        // The scopes a key may hold are those the catalog's products require.
        new ai.dalsi.gateway.testing.EdgeSeed(db.dsl()).standardCatalog();
        f = new AdminFixture(db, Clock.systemUTC(),
                AdminConfig.onPort(0).withToken(AdminFixture.TOKEN).withAllowedOrigins(List.of(ALLOWED)), List.of());
        own = "http://127.0.0.1:" + f.server.port();
    }

    @AfterAll
    void close() {
        f.close();
    }

    private static String user(String name) {
        return json("{'email':'" + name + "@example.com'}");
    }

    private int users(String name) {
        return f.db.dsl().fetchCount(USERS, USERS.EMAIL.eq(name + "@example.com"));
    }

    private double crossSiteRefusals() {
        return f.metrics.scrape().lines().filter(l -> l.startsWith("gateway_admin_refusals_total{reason=\"cross_site\"}"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void theReportedAttackIs403AndWritesNothing() {
        double before = crossSiteRefusals();
        AdminHttp.Response r = f.admin.send("POST", "/admin/users", user("victim"), Map.of(
                "Content-Type", "text/plain;charset=UTF-8", "Origin", "https://evil.example",
                "Sec-Fetch-Site", "cross-site"));
        assertThat(r.status()).as(r.text()).isEqualTo(403);
        assertThat(r.errorMessage()).startsWith("cross-site request refused: Origin \"https://evil.example\"");
        assertThat(users("victim")).isZero();
        assertThat(crossSiteRefusals()).as("counted").isEqualTo(before + 1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // case                                   | Origin                 | Sec-Fetch-Site | Content-Type                       | status
            "another origin, JSON                     | https://evil.example   |                | application/json                   | 403",
            "the null origin of a sandboxed page      | null                   |                | application/json                   | 403",
            "a look-alike of this port                | http://127.0.0.1:1     |                | application/json                   | 403",
            "cross-site fetch hiding its origin       |                        | cross-site     | application/json                   | 403",
            "same-site fetch hiding its origin        |                        | same-site      | application/json                   | 403",
            "this port's own page                     | OWN                    | same-origin    | application/json                   | 201",
            "an allowed origin                        | https://ops.example.com | cross-site    | application/json; charset=utf-8    | 201",
            "a script with a JSON body                |                        |                | application/json                   | 201",
            "a script with a +json type               |                        |                | application/merge-patch+json       | 201",
            "a script without a content type          |                        |                |                                    | 201",
            "a page of this port without a type       | OWN                    | same-origin    |                                    | 415",
            "a form post                              |                        |                | application/x-www-form-urlencoded  | 415",
            "a text body                              |                        |                | text/plain                         | 415",
            "a user-initiated navigation              |                        | none           | application/json                   | 201",
    })
    void writesAreRefusedUnlessTheyComeFromThisPortAnAllowedOriginOrNoBrowser(String what, String origin,
            String fetchSite, String contentType, int status) {
        String name = "u" + Math.abs(what.hashCode());
        Map<String, String> headers = new java.util.HashMap<>();
        if (origin != null) {
            headers.put("Origin", origin.replace("OWN", own));
        }
        if (fetchSite != null) {
            headers.put("Sec-Fetch-Site", fetchSite);
        }
        if (contentType != null) {
            headers.put("Content-Type", contentType);
        }
        AdminHttp.Response r = f.token.send("POST", "/admin/users", user(name), headers);
        assertThat(r.status()).as(what + ": " + r.text()).isEqualTo(status);
        assertThat(users(name)).as(what).isEqualTo(status == 201 ? 1 : 0);
        if (status == 415) {
            assertThat(r.errorMessage()).startsWith("Content-Type: ").contains("expected: application/json");
        }
    }

    @Test
    void curlsDefaultFormTypeIsRefusedWithAHint() {
        AdminHttp.Response r = f.token.send("POST", "/admin/users", user("formpost"),
                Map.of("Content-Type", "application/x-www-form-urlencoded"));
        assertThat(r.status()).isEqualTo(415);
        assertThat(r.errorMessage()).contains("add -H 'Content-Type: application/json'");
    }

    @Test
    void writesWithoutABodyAreCheckedToo() {
        String userId = f.newUser("rotating@example.com");
        String keyId = f.token.post("/admin/keys", json("{'user_id':'" + userId + "','name':'r','scopes':['ai.chat']}"))
                .json().get("id").asText();
        AdminHttp.Response r = f.token.send("POST", "/admin/keys/" + keyId + "/rotate", null,
                Map.of("Origin", "https://evil.example"));
        assertThat(r.status()).isEqualTo(403);
        assertThat(f.token.get("/admin/keys/" + keyId).json().get("status").asText()).isEqualTo("active");
    }

    @Test
    void readsAreAnsweredButNeverShared() {
        AdminHttp.Response r = f.token.send("GET", "/admin/products", null, Map.of("Origin", "https://evil.example",
                "Sec-Fetch-Site", "cross-site"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("access-control-allow-origin")).as("no CORS: the page cannot read it").isNull();
    }
}
