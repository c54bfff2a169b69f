package ai.dalsi.gateway.admin;

import static ai.dalsi.persistence.schema.Tables.API_KEYS;
import static ai.dalsi.persistence.schema.Tables.WEBHOOK_EVENTS;

import ai.dalsi.gateway.webhooks.WebhookPayload;
import ai.dalsi.persistence.webhooks.WebhookDeliveries;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * A key's webhook deliveries: {@code GET /admin/keys/{id}/webhook-deliveries?limit=&starting_after=}
 * (newest first, {@code has_more} and the last id of a page for the next one),
 * {@code GET /admin/webhook-deliveries/{id}} (with every attempt) and
 * {@code POST /admin/webhook-deliveries/{id}/redeliver} (pending again with a fresh attempt budget,
 * due now; 409 while an attempt is running).
 */
final class WebhookRoutes {

    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 100;
    private static final Set<String> LIST_PARAMS = Set.of("limit", "starting_after");

    /** One event and its delivery state, with the payload every attempt sends. */
    record DeliveryView(UUID id, UUID apiKeyId, String type, String status, Instant createdAt, int attempts,
            Instant nextAttemptAt, Instant lastAttemptAt, Integer lastStatusCode, String lastError,
            Instant deliveredAt, Instant failedAt, JsonNode payload, List<AttemptView> attemptHistory) {
    }

    /** One attempt: when, from which node, how long, and what came of it. */
    record AttemptView(int attempt, String node, Instant startedAt, int latencyMs, String outcome, Integer statusCode,
            String error) {
    }

    private final DSLContext dsl;
    private final WebhookDeliveries deliveries;
    private final Clock clock;

    WebhookRoutes(DSLContext dsl, Clock clock) {
        this.dsl = dsl;
        this.deliveries = new WebhookDeliveries(dsl);
        this.clock = clock;
    }

    void register(Router router) {
        router.add("GET", "/admin/keys/{id}/webhook-deliveries", Access.ADMIN, this::list);
        router.add("GET", "/admin/webhook-deliveries/{id}", Access.ADMIN, this::get);
        router.add("POST", "/admin/webhook-deliveries/{id}/redeliver", Access.ADMIN, this::redeliver);
    }

    private AdminResponse list(AdminRequest request) {
        UUID keyId = request.idParam("id", "key");
        for (String name : request.query().keySet()) {
            if (!LIST_PARAMS.contains(name)) {
                throw AdminProblem.badInput(name, "unknown parameter: " + name + " (expected: limit, starting_after)");
            }
        }
        if (!dsl.fetchExists(API_KEYS, API_KEYS.ID.eq(keyId))) {
            throw AdminProblem.notFound("no key with id " + keyId);
        }
        int limit = limit(request.queryParam("limit"));
        UUID after = null;
        String cursor = request.queryParam("starting_after");
        if (cursor != null) {
            try {
                after = UUID.fromString(cursor);
            } catch (IllegalArgumentException e) {
                after = null;
            }
            if (after == null || !dsl.fetchExists(WEBHOOK_EVENTS, WEBHOOK_EVENTS.ID.eq(after)
                    .and(WEBHOOK_EVENTS.API_KEY_ID.eq(keyId)))) {
                throw AdminProblem.badInput("starting_after", "starting_after: \"" + cursor
                        + "\" (expected: the id of one of this key's deliveries, the last of the previous page)");
            }
        }
        WebhookDeliveries.Page page = deliveries.listForKey(keyId, limit, after);
        return AdminResponse.json(200, Map.of("data", page.data().stream().map(d -> view(d, null)).toList(),
                "has_more", page.hasMore()));
    }

    private AdminResponse get(AdminRequest request) {
        UUID id = request.idParam("id", "webhook delivery");
        WebhookDeliveries.Delivery d = deliveries.get(id)
                .orElseThrow(() -> AdminProblem.notFound("no webhook delivery with id " + id));
        return AdminResponse.json(200, view(d, deliveries.attempts(id)));
    }

    private AdminResponse redeliver(AdminRequest request) {
        UUID id = request.idParam("id", "webhook delivery");
        if (request.body().length > 0) {
            JsonInput.of(request.body(), Set.of());
        }
        return switch (deliveries.redeliver(id, clock.instant())) {
            case WebhookDeliveries.Redelivered r -> AdminResponse.json(202, view(r.delivery(), null));
            case WebhookDeliveries.NotFound n -> throw AdminProblem.notFound("no webhook delivery with id " + id);
            case WebhookDeliveries.InProgress p -> throw AdminProblem.conflict(null, "webhook delivery " + id
                    + " has an attempt in progress (until " + p.leaseUntil() + " at the latest); try again after it");
        };
    }

    private static DeliveryView view(WebhookDeliveries.Delivery d, List<WebhookDeliveries.Attempt> attempts) {
        return new DeliveryView(d.id(), d.apiKeyId(), d.type(), d.status(), d.createdAt(), d.attempts(),
                d.nextAttemptAt(), d.lastAttemptAt(), d.lastStatusCode(), d.lastError(), d.deliveredAt(), d.failedAt(),
                WebhookPayload.tree(d.id(), d.type(), d.createdAt(), d.dataJson()),
                attempts == null ? null : attempts.stream().map(a -> new AttemptView(a.attempt(), a.node(),
                        a.startedAt(), a.latencyMs(), a.outcome().dbValue(), a.statusCode(), a.error())).toList());
    }

    private static int limit(String raw) {
        if (raw == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(raw);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw AdminProblem.badInput("limit", "limit: \"" + raw + "\" (expected: 1.." + MAX_LIMIT + ")");
    }
}
