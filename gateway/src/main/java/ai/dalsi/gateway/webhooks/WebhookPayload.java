package ai.dalsi.gateway.webhooks;

import ai.dalsi.persistence.webhooks.WebhookEvent;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.UUID;

/**
 * The body every delivery of an event sends, the same bytes on every attempt:
 * {@code {"id":"<event id>","type":"key.revoked","created_at":"2030-01-31T12:00:00.000Z","data":{...}}}.
 */
public final class WebhookPayload {

    private static final ObjectMapper JSON = new ObjectMapper();

    private WebhookPayload() {
    }

    /** The payload as a JSON tree (the admin API shows it with each delivery). */
    public static ObjectNode tree(UUID id, String type, Instant createdAt, String dataJson) {
        ObjectNode body = JSON.createObjectNode();
        body.put("id", id.toString());
        body.put("type", type);
        body.put("created_at", WebhookEvent.timestamp(createdAt));
        try {
            body.set("data", JSON.readTree(dataJson));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored webhook data is not JSON", e);
        }
        return body;
    }

    /** The payload's bytes. */
    static byte[] bytes(UUID id, String type, Instant createdAt, String dataJson) {
        try {
            return JSON.writeValueAsBytes(tree(id, type, createdAt, dataJson));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
