package ai.dalsi.gateway.admin;

import ai.dalsi.gateway.error.Echo;
import ai.dalsi.gateway.webhooks.WebhookTargets;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * {@code /admin/keys}: issue ({@code POST}), list by user, read, change ({@code PATCH}),
 * {@code POST .../revoke} and {@code POST .../rotate}. Token limits ({@code rate_limit_tokens_per_minute},
 * {@code rate_limit_tokens_per_day}: positive integers) and {@code monthly_budget_usd} (USD, within the
 * catalog's price bounds) are nullable: null is none, and a {@code PATCH} with null removes one. Input is validated here, field by field
 * ({@code webhook_url} also against {@link WebhookTargets}); {@link KeyService} does the work.
 */
final class KeyRoutes {

    private static final Set<String> CREATE_FIELDS = Set.of("user_id", "name", "scopes", "environment",
            "subscription_tier", "rate_limit_per_minute", "rate_limit_per_hour", "rate_limit_per_day", "allowed_ips",
            "expires_at", "is_internal", "webhook_url", "rate_limit_tokens_per_minute", "rate_limit_tokens_per_day",
            "monthly_budget_usd");
    private static final Set<String> PATCH_FIELDS = Set.of("name", "scopes", "subscription_tier",
            "rate_limit_per_minute", "rate_limit_per_hour", "rate_limit_per_day", "allowed_ips", "expires_at",
            "is_internal", "webhook_url", "rate_limit_tokens_per_minute", "rate_limit_tokens_per_day",
            "monthly_budget_usd");
    private static final Set<String> REVOKE_FIELDS = Set.of("reason");
    /** The reason recorded when a revocation names none. */
    static final String DEFAULT_REVOKE_REASON = "revoked by an admin";
    private static final int MAX_IPS = 100;

    private final KeyService keys;
    private final WebhookTargets webhookTargets;

    KeyRoutes(KeyService keys, WebhookTargets webhookTargets) {
        this.keys = keys;
        this.webhookTargets = webhookTargets;
    }

    void register(Router router) {
        router.add("POST", "/admin/keys", Access.ADMIN, this::create);
        router.add("GET", "/admin/keys", Access.ADMIN, this::list);
        router.add("GET", "/admin/keys/{id}", Access.ADMIN, this::get);
        router.add("PATCH", "/admin/keys/{id}", Access.ADMIN, this::patch);
        router.add("POST", "/admin/keys/{id}/revoke", Access.ADMIN, this::revoke);
        router.add("POST", "/admin/keys/{id}/rotate", Access.ADMIN, this::rotate);
    }

    private AdminResponse create(AdminRequest request) {
        JsonInput in = JsonInput.of(request.body(), CREATE_FIELDS);
        UUID userId = in.uuid("user_id");
        if (userId == null) {
            throw AdminProblem.badInput("user_id", "user_id: missing (expected: an id (UUID))");
        }
        String name = in.requiredText("name", 200);
        if (!in.has("scopes") || in.isNull("scopes")) {
            throw AdminProblem.badInput("scopes", "scopes: missing (expected: a list of the scopes products require: "
                    + String.join(", ", keys.knownScopes()) + ")");
        }
        KeyService.NewKeySettings settings = new KeyService.NewKeySettings(
                userId,
                name,
                Validation.scopes("scopes", in.stringList("scopes", Validation.MAX_SCOPES, Validation.MAX_SCOPE_LENGTH),
                        keys::knownScopes),
                Validation.oneOf("environment", in.text("environment", 32), Validation.ENVIRONMENTS),
                Validation.oneOf("subscription_tier", in.text("subscription_tier", 32), Validation.TIERS),
                in.positiveInt("rate_limit_per_minute"),
                in.positiveInt("rate_limit_per_hour"),
                in.positiveInt("rate_limit_per_day"),
                Validation.allowedIps("allowed_ips", in.stringList("allowed_ips", MAX_IPS, 64)),
                in.instant("expires_at"),
                in.bool("is_internal"),
                webhookUrl(in),
                in.positiveLong("rate_limit_tokens_per_minute"),
                in.positiveLong("rate_limit_tokens_per_day"),
                Validation.budget("monthly_budget_usd", in.nonNegativeDecimal("monthly_budget_usd")));
        return issued(201, keys.create(settings), null);
    }

    private AdminResponse list(AdminRequest request) {
        for (String name : request.query().keySet()) {
            if (!name.equals("user_id")) {
                throw AdminProblem.badInput(Echo.name(name), "unknown parameter: " + Echo.name(name)
                        + " (expected: user_id)");
            }
        }
        List<String> values = request.query().get("user_id");
        if (values == null || values.isEmpty() || values.get(0).isBlank()) {
            throw AdminProblem.badInput("user_id", "user_id: missing (expected: ?user_id=<user id>)");
        }
        UUID userId;
        try {
            userId = UUID.fromString(values.get(0).strip());
        } catch (IllegalArgumentException e) {
            throw AdminProblem.badInput("user_id", "user_id: " + Echo.text(values.get(0))
                    + " (expected: an id (UUID))");
        }
        return AdminResponse.json(200, Map.of("data", keys.listForUser(userId)));
    }

    private AdminResponse get(AdminRequest request) {
        return AdminResponse.json(200, keys.get(request.idParam("id", "key")));
    }

    private AdminResponse patch(AdminRequest request) {
        UUID id = request.idParam("id", "key");
        JsonInput in;
        try {
            in = JsonInput.of(request.body(), PATCH_FIELDS);
        } catch (AdminProblem p) {
            if ("environment".equals(p.field()) || "user_id".equals(p.field())) {
                throw AdminProblem.badInput(p.field(), p.field()
                        + ": cannot be changed (rotate or issue a new key instead)");
            }
            throw p;
        }
        if (in.isEmpty()) {
            throw AdminProblem.badInput("body", "body: no field to change (expected: one or more of "
                    + String.join(", ", PATCH_FIELDS.stream().sorted().toList()) + ")");
        }
        for (String required : List.of("name", "scopes", "subscription_tier", "rate_limit_per_minute",
                "rate_limit_per_hour", "rate_limit_per_day", "is_internal")) {
            if (in.isNull(required)) {
                throw AdminProblem.badInput(required, required + ": null (expected: a value; this setting cannot be"
                        + " cleared)");
            }
        }
        KeyService.KeyPatch patch = new KeyService.KeyPatch(
                in.text("name", 200),
                Validation.scopes("scopes", in.stringList("scopes", Validation.MAX_SCOPES, Validation.MAX_SCOPE_LENGTH),
                        keys::knownScopes),
                Validation.oneOf("subscription_tier", in.text("subscription_tier", 32), Validation.TIERS),
                in.positiveInt("rate_limit_per_minute"),
                in.positiveInt("rate_limit_per_hour"),
                in.positiveInt("rate_limit_per_day"),
                Validation.allowedIps("allowed_ips", in.stringList("allowed_ips", MAX_IPS, 64)),
                in.isNull("allowed_ips"),
                in.instant("expires_at"),
                in.isNull("expires_at"),
                in.bool("is_internal"),
                webhookUrl(in),
                in.isNull("webhook_url"),
                in.positiveLong("rate_limit_tokens_per_minute"),
                in.isNull("rate_limit_tokens_per_minute"),
                in.positiveLong("rate_limit_tokens_per_day"),
                in.isNull("rate_limit_tokens_per_day"),
                Validation.budget("monthly_budget_usd", in.nonNegativeDecimal("monthly_budget_usd")),
                in.isNull("monthly_budget_usd"));
        return AdminResponse.json(200, keys.patch(id, patch));
    }

    /** The body is optional: no body, {@code {}} or {@code {"reason":null}} record {@link #DEFAULT_REVOKE_REASON}. */
    private AdminResponse revoke(AdminRequest request) {
        UUID id = request.idParam("id", "key");
        String reason = null;
        if (request.body().length > 0) {
            reason = JsonInput.of(request.body(), REVOKE_FIELDS).text("reason", 500);
        }
        if (reason == null) {
            reason = DEFAULT_REVOKE_REASON;
        }
        return AdminResponse.json(200, keys.revoke(id, reason, request.adminId(), request.clientIp(),
                request.userAgent()));
    }

    private AdminResponse rotate(AdminRequest request) {
        UUID id = request.idParam("id", "key");
        if (request.body().length > 0) {
            JsonInput.of(request.body(), Set.of());
        }
        return issued(201, keys.rotate(id, request.adminId(), request.clientIp(), request.userAgent()), id);
    }

    /** A URL of the right form ({@link Validation#webhookUrl}) that may be called ({@link WebhookTargets}). */
    private String webhookUrl(JsonInput in) {
        String url = Validation.webhookUrl("webhook_url", in.text("webhook_url", 2000));
        if (url != null && webhookTargets.check(url) instanceof WebhookTargets.Refused refused) {
            throw AdminProblem.badInput("webhook_url", "webhook_url: \"" + url + "\" " + refused.reason());
        }
        return url;
    }

    /** The key's view with the plaintext {@code key} first: the only time it is ever shown. */
    private static AdminResponse issued(int status, KeyService.IssuedKey issued, UUID rotatedFrom) {
        ObjectNode body = AdminJson.objectNode();
        body.put("key", issued.key());
        body.setAll(AdminJson.toTree(issued.view()));
        if (rotatedFrom != null) {
            body.put("rotated_from", rotatedFrom.toString());
        }
        return new AdminResponse(status, AdminResponse.JSON, AdminJson.write(body), Map.of());
    }
}
