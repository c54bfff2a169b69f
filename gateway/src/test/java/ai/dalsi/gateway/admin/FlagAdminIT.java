package ai.dalsi.gateway.admin;

import static ai.dalsi.gateway.admin.AdminHttp.json;
import static ai.dalsi.persistence.schema.Tables.FEATURE_FLAGS;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code /admin/flags}: who may set them, what a flag may be, and what is stored. */
@ExtendWith(FreshDatabaseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FlagAdminIT {

    private final AdminFixture f;

    FlagAdminIT(TestDatabase db) {
        f = new AdminFixture(db);
    }

    @AfterAll
    void close() {
        f.close();
    }

    @Test
    void aSuperAdminSetsAFlagAnyAdminReadsItAndPatchChangesOnlyWhatIsGiven() {
        AdminHttp.Response put = f.superAdmin.send("PUT", "/admin/flags", json("{'name':'model:org/chat-1',"
                + "'is_enabled':true,'rollout_percentage':25,'description':'canary'}"));
        assertThat(put.status()).as(put.text()).isEqualTo(201);
        String id = put.json().get("id").asText();
        assertThat(put.json().get("rollout_percentage").asInt()).isEqualTo(25);

        AdminHttp.Response again = f.superAdmin.send("PUT", "/admin/flags",
                json("{'name':'model:org/chat-1','is_enabled':false}"));
        assertThat(again.status()).as(again.text()).isEqualTo(200);
        assertThat(again.json().get("id").asText()).isEqualTo(id);
        assertThat(again.json().get("rollout_percentage").asInt()).as("PUT's default").isEqualTo(100);
        assertThat(again.json().get("description").asText()).as("kept when not given").isEqualTo("canary");

        AdminHttp.Response patched = f.superAdmin.patch("/admin/flags/" + id, json("{'rollout_percentage':0}"));
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.json().get("is_enabled").asBoolean()).isFalse();
        var row = f.db.dsl().fetchOne(FEATURE_FLAGS, FEATURE_FLAGS.NAME.eq("model:org/chat-1"));
        assertThat(row.getRolloutPercentage()).isEqualTo(0);

        assertThat(f.admin.get("/admin/flags").json().get("data").findValuesAsText("name")).contains("model:org/chat-1");
        assertThat(f.admin.send("PUT", "/admin/flags", json("{'name':'maintenance','is_enabled':true}")).status())
                .as("admin is not super_admin").isEqualTo(403);
        assertThat(f.admin.patch("/admin/flags/" + id, json("{'is_enabled':true}")).status()).isEqualTo(403);
        assertThat(f.db.dsl().fetchCount(FEATURE_FLAGS, FEATURE_FLAGS.NAME.eq("maintenance"))).isZero();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{'is_enabled':true}                                            | name",
            "{'name':'maintenance'}                                         | is_enabled",
            "{'name':'Maintenance','is_enabled':true}                       | name",
            "{'name':'product:','is_enabled':true}                          | name",
            "{'name':'product:a b','is_enabled':true}                       | name",
            "{'name':'x\\u0000','is_enabled':true}                          | name",
            "{'name':'maintenance','is_enabled':'yes'}                      | is_enabled",
            "{'name':'maintenance','is_enabled':true,'rollout_percentage':101}   | rollout_percentage",
            "{'name':'maintenance','is_enabled':true,'rollout_percentage':-1}    | rollout_percentage",
            "{'name':'maintenance','is_enabled':true,'rollout_percentage':1e300} | rollout_percentage",
            "{'name':'maintenance','is_enabled':true,'rollout_percentage':99999999999999999999} | rollout_percentage",
            "{'name':'maintenance','is_enabled':true,'rollout_percentage':50.5}  | rollout_percentage",
            "{'name':'maintenance','is_enabled':true,'enabled':true}        | enabled"})
    void badFlagsAre400NamingTheField(String body, String field) {
        AdminHttp.Response r = f.superAdmin.send("PUT", "/admin/flags", json(body));
        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.errorField()).isEqualTo(field);
    }

    @Test
    void patchRefusesNullsEmptyBodiesAndUnknownIds() {
        String id = f.superAdmin.send("PUT", "/admin/flags", json("{'name':'product:ai.x','is_enabled':false}"))
                .json().get("id").asText();
        assertThat(f.superAdmin.patch("/admin/flags/" + id, json("{'is_enabled':null}")).errorField())
                .isEqualTo("is_enabled");
        assertThat(f.superAdmin.patch("/admin/flags/" + id, json("{}")).errorField()).isEqualTo("body");
        assertThat(f.superAdmin.patch("/admin/flags/00000000-0000-0000-0000-000000000000",
                json("{'is_enabled':true}")).status()).isEqualTo(404);
    }
}
