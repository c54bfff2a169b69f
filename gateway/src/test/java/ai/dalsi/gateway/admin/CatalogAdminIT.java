package ai.dalsi.gateway.admin;

import static ai.dalsi.gateway.admin.AdminHttp.json;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.metering.Pricing;
import ai.dalsi.persistence.repo.Model;
import ai.dalsi.persistence.repo.ModelRepository;
import ai.dalsi.persistence.repo.Product;
import ai.dalsi.persistence.repo.ProductRepository;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.math.BigDecimal;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Products and models through the admin API, read back through the repositories the edge uses. */
@ExtendWith(FreshDatabaseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CatalogAdminIT {

    private final AdminFixture f;

    CatalogAdminIT(TestDatabase db) {
        f = new AdminFixture(db);
    }

    @AfterAll
    void close() {
        f.close();
    }

    @Test
    void createsReadsListsAndPatchesAProduct() {
        AdminHttp.Response r = f.superAdmin.post("/admin/products", json("{'name':'ai.chat','display_name':'Chat',"
                + "'endpoints':['/v1/chat/completions'],'required_scopes':['ai.chat'],"
                + "'required_subscription_tier':'pro','price_per_1k_tokens':0.002,'base_price_usd':0,"
                + "'max_tokens_per_request':4096}"));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(r.text()).contains("\"price_per_1k_tokens\":0.00200000");
        UUID id = UUID.fromString(r.json().get("id").asText());
        Product p = new ProductRepository(f.db.dsl()).findById(id).orElseThrow();
        assertThat(p.endpoints()).containsExactly("/v1/chat/completions");
        assertThat(p.requiredSubscriptionTier()).isEqualTo("pro");
        assertThat(p.pricePer1kTokens()).isEqualByComparingTo("0.002");
        assertThat(p.maxTokensPerRequest()).isEqualTo(4096);

        assertThat(f.admin.get("/admin/products/" + id).json().get("name").asText()).isEqualTo("ai.chat");
        assertThat(f.admin.get("/admin/products").json().get("data").findValuesAsText("name")).contains("ai.chat");

        AdminHttp.Response patched = f.token.patch("/admin/products/" + id,
                json("{'is_active':false,'endpoints':['/v1/chat/completions','/v1/completions'],'description':null}"));
        assertThat(patched.status()).as(patched.text()).isEqualTo(200);
        p = new ProductRepository(f.db.dsl()).findById(id).orElseThrow();
        assertThat(p.active()).isFalse();
        assertThat(p.endpoints()).containsExactly("/v1/chat/completions", "/v1/completions");
        assertThat(p.displayName()).as("unchanged").isEqualTo("Chat");
        assertThat(p.kind()).as("the default kind").isEqualTo("chat");
    }

    @Test
    void aProductSaysWhatKindItIsAndBringsItsScopeForKeys() {
        String user = f.newUser("embed-keys@example.com");
        String keyBody = "{'user_id':'" + user + "','name':'embed','scopes':['ai.embed']}";
        AdminHttp.Response refused = f.token.post("/admin/keys", json(keyBody));
        assertThat(refused.status()).as("no product requires ai.embed yet").isEqualTo(400);
        assertThat(refused.json().at("/error/field").asText()).isEqualTo("scopes");

        AdminHttp.Response r = f.superAdmin.post("/admin/products", json("{'name':'ai.embed',"
                + "'endpoints':['/v1/embeddings'],'required_scopes':['ai.embed'],'kind':'embedding'}"));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(r.json().get("kind").asText()).isEqualTo("embedding");
        UUID id = UUID.fromString(r.json().get("id").asText());
        assertThat(new ProductRepository(f.db.dsl()).findById(id).orElseThrow().kind()).isEqualTo("embedding");
        assertThat(f.token.post("/admin/keys", json(keyBody)).status()).as("now a scope keys may hold").isEqualTo(201);

        AdminHttp.Response patched = f.superAdmin.patch("/admin/products/" + id, json("{'kind':'image'}"));
        assertThat(patched.status()).as(patched.text()).isEqualTo(200);
        assertThat(new ProductRepository(f.db.dsl()).findById(id).orElseThrow().kind()).isEqualTo("image");
    }

    @Test
    void anEndpointBelongsToOneProduct() {
        assertThat(f.token.post("/admin/products", json("{'name':'ai.code','endpoints':['/v1/code']}")).status())
                .isEqualTo(201);
        AdminHttp.Response r = f.token.post("/admin/products", json("{'name':'ai.code2','endpoints':['/v1/code']}"));
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.errorField()).isEqualTo("endpoints");
        assertThat(r.errorMessage()).isEqualTo("endpoints: /v1/code already belongs to product ai.code");
        AdminHttp.Response dup = f.token.post("/admin/products", json("{'name':'ai.code','endpoints':['/v1/other']}"));
        assertThat(dup.status()).isEqualTo(409);
        assertThat(dup.errorField()).isEqualTo("name");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "{'endpoints':['/v1/x']}                                  | name                       | name: missing (expected: a string)",
            "{'name':'ai.x'}                                          | endpoints                  | endpoints: missing (expected: a list of paths starting with /v1/)",
            "{'name':'ai.x','endpoints':['/v2/chat']}                 | endpoints                  | endpoints[0]: \"/v2/chat\" (expected: a path starting with /v1/, such as /v1/chat/completions)",
            "{'name':'ai.x','endpoints':['chat']}                     | endpoints                  | endpoints[0]: \"chat\" (expected: a path starting with /v1/, such as /v1/chat/completions)",
            "{'name':'ai.x','endpoints':[]}                           | endpoints                  | endpoints: [] (expected: at least one path starting with /v1/)",
            "{'name':'AI Chat!','endpoints':['/v1/x']}                | name                       | name: \"AI Chat!\" (expected: lower case letters, digits, '.', '_' or '-', such as ai.chat)",
            "{'name':'ai.x','endpoints':['/v1/x'],'required_subscription_tier':'gold'} | required_subscription_tier | required_subscription_tier: \"gold\" (expected: one of enterprise, free, pro)",
            "{'name':'ai.x','endpoints':['/v1/x'],'price_per_1k_tokens':-0.01}         | price_per_1k_tokens        | price_per_1k_tokens: -0.01 (expected: >= 0)",
            "{'name':'ai.x','endpoints':['/v1/x'],'base_price_usd':'free'}             | base_price_usd             | base_price_usd: \"free\" (expected: a number >= 0)",
            "{'name':'ai.x','endpoints':['/v1/x'],'max_tokens_per_request':0}          | max_tokens_per_request     | max_tokens_per_request: 0 (expected: > 0)",
            "{'name':'ai.x','endpoints':['/v1/x'],'required_scopes':['AI Video']}      | required_scopes            | required_scopes[0]: \"AI Video\" (expected: lower case letters, digits, '.', '_' or '-', such as ai.embed)",
            "{'name':'ai.x','endpoints':['/v1/x'],'kind':'images'}                     | kind                       | kind: \"images\" (expected: one of chat, completion, embedding, image, responses)",
            "{'name':'ai.x','endpoints':['/v1/x'],'is_active':null}                    | is_active                  | is_active: null (expected: a value; this setting cannot be cleared)",
            "{'name':'ai.x','endpoints':['/v1/x'],'tier':'pro'}                        | tier                       | ",
    })
    void badProductIs400NamingTheField(String body, String field, String message) {
        AdminHttp.Response r = f.superAdmin.post("/admin/products", json(body));
        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.errorField()).isEqualTo(field);
        if (message != null) {
            assertThat(r.errorMessage()).isEqualTo(message);
        } else {
            assertThat(r.errorMessage()).startsWith("unknown field: " + field);
        }
    }

    /** One bound for every price, products' and models': the one that keeps each request's cost recordable. */
    @ParameterizedTest(name = "{0} {2}")
    @CsvSource(delimiter = '|', value = {
            "/admin/products | {'name':'ai.p1','endpoints':['/v1/p1'],'price_per_1k_tokens':1000000.00000001} | price_per_1k_tokens   | 1000000.00000001",
            "/admin/products | {'name':'ai.p2','endpoints':['/v1/p2'],'base_price_usd':1e300}               | base_price_usd        | 1E+300",
            "/admin/products | {'name':'ai.p3','endpoints':['/v1/p3'],'base_price_usd':0.000000001}         | base_price_usd        | 0.000000001",
            "/admin/models   | {'name':'m-p1','pricing':{'input_per_1k':1e300}}                               | pricing.input_per_1k  | 1E+300",
            "/admin/models   | {'name':'m-p2','pricing':{'output_per_1k':1000000.00000001}}                    | pricing.output_per_1k | 1000000.00000001",
            "/admin/models   | {'name':'m-p3','pricing':{'per_image':0.000000001}}                            | pricing.per_image     | 0.000000001",
    })
    void pricesBeyondWhatTheLedgerCanBillAreRefusedOnSave(String path, String body, String field, String shown) {
        int before = f.db.dsl().fetchCount(ai.dalsi.persistence.schema.Tables.AI_MODELS)
                + f.db.dsl().fetchCount(ai.dalsi.persistence.schema.Tables.API_PRODUCTS);
        AdminHttp.Response r = f.superAdmin.post(path, json(body));
        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.errorField()).isEqualTo(field);
        assertThat(r.errorMessage()).isEqualTo(field + ": " + shown
                + " (expected: a price from 0 to 1000000 with at most 8 decimal places)");
        assertThat(f.db.dsl().fetchCount(ai.dalsi.persistence.schema.Tables.AI_MODELS)
                + f.db.dsl().fetchCount(ai.dalsi.persistence.schema.Tables.API_PRODUCTS)).isEqualTo(before);
    }

    @Test
    void pricesAtTheBoundsAreAccepted() {
        assertThat(f.superAdmin.post("/admin/products", json("{'name':'ai.dear','endpoints':['/v1/dear'],"
                + "'price_per_1k_tokens':1000000,'base_price_usd':0.00000001}")).status()).isEqualTo(201);
        assertThat(f.superAdmin.post("/admin/models", json("{'name':'m-dear','pricing':{'input_per_1k':1000000,"
                + "'output_per_1k':1000000.00000000,'per_image':0.00000001}}")).status()).isEqualTo(201);
    }

    @Test
    void createsAndPatchesAModelWithPricingMeteringCanRead() {
        AdminHttp.Response r = f.superAdmin.post("/admin/models", json("{'name':'dalsi-aivi','version':'2',"
                + "'type':'multimodal','capabilities':{'vision':true},"
                + "'pricing':{'input_per_1k':0.001,'output_per_1k':0.002,'per_image':0.04},'requires_subscription':true}"));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        assertThat(r.json().get("pricing").get("per_image").decimalValue()).isEqualByComparingTo("0.04");
        UUID id = UUID.fromString(r.json().get("id").asText());
        Model m = new ModelRepository(f.db.dsl()).findById(id).orElseThrow();
        assertThat(m.type()).isEqualTo("multimodal");
        assertThat(m.requiresSubscription()).isTrue();
        Pricing pricing = Pricing.of(m.pricingJson(), BigDecimal.ZERO, BigDecimal.ZERO);
        assertThat(pricing.modelInputPer1k()).isEqualByComparingTo("0.001");
        assertThat(pricing.modelPerImage()).isEqualByComparingTo("0.04");

        AdminHttp.Response p = f.token.patch("/admin/models/" + id, json("{'is_active':false,'pricing':{'input_per_1k':0}}"));
        assertThat(p.status()).as(p.text()).isEqualTo(200);
        m = new ModelRepository(f.db.dsl()).findById(id).orElseThrow();
        assertThat(m.active()).isFalse();
        assertThat(Pricing.of(m.pricingJson(), null, null).modelOutputPer1k()).isNull();

        assertThat(f.admin.get("/admin/models/" + id).json().get("name").asText()).isEqualTo("dalsi-aivi");
        assertThat(f.admin.get("/admin/models").json().get("data")).hasSizeGreaterThanOrEqualTo(1);
        assertThat(f.token.post("/admin/models", json("{'name':'dalsi-aivi'}")).status()).isEqualTo(409);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "{'version':'1'}                                    | name                  | name: missing (expected: a string)",
            "{'name':'m1','type':'audio'}                       | type                  | type: \"audio\" (expected: one of multimodal, text)",
            "{'name':'m1','pricing':{'input_per_1k':-1}}        | pricing.input_per_1k  | pricing.input_per_1k: -1 (expected: >= 0)",
            "{'name':'m1','pricing':{'output_per_1k':'cheap'}}  | pricing.output_per_1k | pricing.output_per_1k: \"cheap\" (expected: a number >= 0)",
            "{'name':'m1','pricing':{'per_token':0.1}}          | pricing.per_token     | unknown field: pricing.per_token (expected: input_per_1k, output_per_1k, per_image)",
            "{'name':'m1','pricing':[1]}                        | pricing               | pricing: [1] (expected: a JSON object)",
            "{'name':'m1','capabilities':'all'}                 | capabilities          | capabilities: \"all\" (expected: a JSON object)",
            "{'name':'m 1'}                                     | name                  | name: \"m 1\" (expected: letters, digits, '.', '_', ':', '/' or '-', such as dalsi-ai)",
    })
    void badModelIs400NamingTheField(String body, String field, String message) {
        AdminHttp.Response r = f.superAdmin.post("/admin/models", json(body));
        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.errorField()).isEqualTo(field);
        assertThat(r.errorMessage()).isEqualTo(message);
    }

    @Test
    void unknownCatalogIdsAre404() {
        assertThat(f.token.get("/admin/products/" + UUID.randomUUID()).status()).isEqualTo(404);
        assertThat(f.token.get("/admin/models/" + UUID.randomUUID()).status()).isEqualTo(404);
        assertThat(f.token.patch("/admin/products/" + UUID.randomUUID(), json("{'is_active':true}")).status())
                .isEqualTo(404);
        assertThat(f.token.patch("/admin/models/" + UUID.randomUUID(), json("{'is_active':true}")).status())
                .isEqualTo(404);
    }
}
