package ai.dalsi.gateway.admin;

import static ai.dalsi.persistence.schema.Tables.AI_MODELS;
import static ai.dalsi.persistence.schema.Tables.API_PRODUCTS;

import ai.dalsi.gateway.error.Echo;
import ai.dalsi.metering.Pricing;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jooq.Field;

/**
 * {@code /admin/products} and {@code /admin/models}: any admin reads, only super_admin writes.
 * POST creates (201), PATCH changes the fields given (200).
 */
final class CatalogRoutes {

    private static final Set<String> PRODUCT_FIELDS = Set.of("name", "display_name", "description", "category",
            "base_price_usd", "price_per_1k_tokens", "max_tokens_per_request", "endpoints", "required_scopes",
            "required_subscription_tier", "is_active", "is_public", "kind");
    private static final Set<String> MODEL_FIELDS = Set.of("name", "version", "type", "capabilities", "pricing",
            "is_active", "requires_subscription");
    private static final Set<String> PRICING_MEMBERS = Set.of(Pricing.INPUT_PER_1K, Pricing.OUTPUT_PER_1K,
            Pricing.PER_IMAGE);
    private static final Pattern PRODUCT_NAME = Pattern.compile("[a-z][a-z0-9._-]{0,63}");
    private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}");

    private final CatalogService catalog;

    CatalogRoutes(CatalogService catalog) {
        this.catalog = catalog;
    }

    void register(Router router) {
        router.add("GET", "/admin/products", Access.ADMIN, r -> list(catalog.products()));
        router.add("GET", "/admin/products/{id}", Access.ADMIN,
                r -> AdminResponse.json(200, catalog.product(r.idParam("id", "product"))));
        router.add("POST", "/admin/products", Access.SUPER_ADMIN,
                r -> AdminResponse.json(201, catalog.saveProduct(null, product(r, true))));
        router.add("PATCH", "/admin/products/{id}", Access.SUPER_ADMIN, r -> {
            UUID id = r.idParam("id", "product");
            return AdminResponse.json(200, catalog.saveProduct(id, product(r, false)));
        });
        router.add("GET", "/admin/models", Access.ADMIN, r -> list(catalog.models()));
        router.add("GET", "/admin/models/{id}", Access.ADMIN,
                r -> AdminResponse.json(200, catalog.model(r.idParam("id", "model"))));
        router.add("POST", "/admin/models", Access.SUPER_ADMIN,
                r -> AdminResponse.json(201, catalog.saveModel(null, model(r, true))));
        router.add("PATCH", "/admin/models/{id}", Access.SUPER_ADMIN, r -> {
            UUID id = r.idParam("id", "model");
            return AdminResponse.json(200, catalog.saveModel(id, model(r, false)));
        });
    }

    private static AdminResponse list(List<?> items) {
        return AdminResponse.json(200, Map.of("data", items));
    }

    /** Column values from a product body; on create, name and endpoints are required. */
    private static Map<Field<?>, Object> product(AdminRequest request, boolean create) {
        JsonInput in = JsonInput.of(request.body(), PRODUCT_FIELDS);
        noNulls(in, PRODUCT_FIELDS, Set.of("display_name", "description", "category"));
        Map<Field<?>, Object> v = new LinkedHashMap<>();
        putName(in, v, API_PRODUCTS.NAME, create, 64, PRODUCT_NAME,
                "lower case letters, digits, '.', '_' or '-', such as ai.chat");
        putText(in, v, "display_name", API_PRODUCTS.DISPLAY_NAME, 200);
        putText(in, v, "description", API_PRODUCTS.DESCRIPTION, 4000);
        putText(in, v, "category", API_PRODUCTS.CATEGORY, 100);
        putIfPresent(v, API_PRODUCTS.BASE_PRICE_USD, price(in, "base_price_usd"));
        putIfPresent(v, API_PRODUCTS.PRICE_PER_1K_TOKENS, price(in, "price_per_1k_tokens"));
        putIfPresent(v, API_PRODUCTS.MAX_TOKENS_PER_REQUEST, in.positiveInt("max_tokens_per_request"));
        if (create && !in.has("endpoints")) {
            throw AdminProblem.badInput("endpoints", "endpoints: missing (expected: a list of paths starting with /v1/)");
        }
        List<String> endpoints = Validation.endpoints("endpoints", in.stringList("endpoints", 50, 200));
        if (endpoints != null) {
            v.put(API_PRODUCTS.ENDPOINTS, endpoints.toArray(String[]::new));
        }
        List<String> scopes = Validation.scopeNames("required_scopes",
                in.stringList("required_scopes", Validation.MAX_SCOPES, Validation.MAX_SCOPE_LENGTH));
        if (scopes != null) {
            v.put(API_PRODUCTS.REQUIRED_SCOPES, scopes.toArray(String[]::new));
        }
        putIfPresent(v, API_PRODUCTS.REQUIRED_SUBSCRIPTION_TIER, Validation.oneOf("required_subscription_tier",
                in.text("required_subscription_tier", 32), Validation.TIERS));
        putIfPresent(v, API_PRODUCTS.IS_ACTIVE, in.bool("is_active"));
        putIfPresent(v, API_PRODUCTS.IS_PUBLIC, in.bool("is_public"));
        putIfPresent(v, API_PRODUCTS.KIND, Validation.oneOf("kind", in.text("kind", 32), Validation.PRODUCT_KINDS));
        if (v.isEmpty()) {
            throw AdminProblem.badInput("body", "body: no field to change");
        }
        return v;
    }

    /** Column values from a model body; on create, name is required. */
    private static Map<Field<?>, Object> model(AdminRequest request, boolean create) {
        JsonInput in = JsonInput.of(request.body(), MODEL_FIELDS);
        noNulls(in, MODEL_FIELDS, Set.of("version"));
        Map<Field<?>, Object> v = new LinkedHashMap<>();
        putName(in, v, AI_MODELS.NAME, create, 128, MODEL_NAME,
                "letters, digits, '.', '_', ':', '/' or '-', such as dalsi-ai");
        putText(in, v, "version", AI_MODELS.VERSION, 64);
        putIfPresent(v, AI_MODELS.TYPE, Validation.oneOf("type", in.text("type", 32), Validation.MODEL_TYPES));
        ObjectNode capabilities = in.freeFormObject("capabilities");
        if (capabilities != null) {
            v.put(AI_MODELS.CAPABILITIES, CatalogService.jsonb(capabilities));
        }
        ObjectNode pricing = in.object("pricing");
        if (pricing != null) {
            checkPricing(pricing);
            v.put(AI_MODELS.PRICING, CatalogService.jsonb(pricing));
        }
        putIfPresent(v, AI_MODELS.IS_ACTIVE, in.bool("is_active"));
        putIfPresent(v, AI_MODELS.REQUIRES_SUBSCRIPTION, in.bool("requires_subscription"));
        if (v.isEmpty()) {
            throw AdminProblem.badInput("body", "body: no field to change");
        }
        return v;
    }

    /** Pricing members are the ones metering reads, each a price within {@link Pricing#withinBounds}. */
    private static void checkPricing(ObjectNode pricing) {
        for (Iterator<Map.Entry<String, JsonNode>> it = pricing.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> member = it.next();
            String field = "pricing." + member.getKey();
            if (!PRICING_MEMBERS.contains(member.getKey())) {
                throw AdminProblem.badInput(Echo.name(field), "unknown field: " + Echo.name(field)
                        + " (expected: input_per_1k, output_per_1k, per_image)");
            }
            JsonNode value = member.getValue();
            if (!value.isNumber()) {
                throw AdminProblem.badInput(field, field + ": " + JsonInput.shown(value)
                        + " (expected: a number >= 0)");
            }
            checkPrice(field, value.decimalValue());
        }
        // The metering side reads the same JSON; refuse anything it would refuse.
        try {
            Pricing.of(pricing.toString(), BigDecimal.ZERO, BigDecimal.ZERO);
        } catch (IllegalArgumentException e) {
            throw AdminProblem.badInput("pricing", e.getMessage());
        }
    }

    private static void noNulls(JsonInput in, Set<String> fields, Set<String> nullable) {
        for (String f : fields) {
            if (in.isNull(f) && !nullable.contains(f)) {
                throw AdminProblem.badInput(f, f + ": null (expected: a value; this setting cannot be cleared)");
            }
        }
    }

    /** The "name" field (required on create) checked against its pattern; {@code expected} describes it. */
    private static void putName(JsonInput in, Map<Field<?>, Object> v, Field<String> column, boolean create, int max,
            Pattern pattern, String expected) {
        String name = create ? in.requiredText("name", max) : in.text("name", max);
        if (name != null) {
            if (!pattern.matcher(name).matches()) {
                throw AdminProblem.badInput("name", "name: " + Echo.text(name) + " (expected: " + expected + ")");
            }
            v.put(column, name);
        }
    }

    private static void putText(JsonInput in, Map<Field<?>, Object> v, String field, Field<String> column, int max) {
        if (in.isNull(field)) {
            v.put(column, null);
        } else {
            putIfPresent(v, column, in.text(field, max));
        }
    }

    private static BigDecimal price(JsonInput in, String field) {
        BigDecimal d = in.nonNegativeDecimal(field);
        if (d != null) {
            checkPrice(field, d);
        }
        return d;
    }

    /** Products and models share one bound, the one that keeps every request's cost recordable. */
    private static void checkPrice(String field, BigDecimal d) {
        if (d.signum() < 0) {
            throw AdminProblem.badInput(field, field + ": " + Echo.number(d) + " (expected: >= 0)");
        }
        if (!Pricing.withinBounds(d)) {
            throw AdminProblem.badInput(field, field + ": " + Echo.number(d) + " (expected: " + Pricing.BOUNDS + ")");
        }
    }

    private static <T> void putIfPresent(Map<Field<?>, Object> v, Field<T> column, T value) {
        if (value != null) {
            v.put(column, value);
        }
    }
}
