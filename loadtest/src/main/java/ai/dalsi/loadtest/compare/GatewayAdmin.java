package ai.dalsi.loadtest.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The gateway's admin API as the benchmark uses it, the way a provisioning script would: a user
 * ({@code POST /admin/users}) and keys for it ({@code POST /admin/keys}), with the bootstrap
 * token. The plaintext key is in the creation response only; it never goes to a log.
 */
final class GatewayAdmin {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final URI base;
    private final String token;

    GatewayAdmin(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    /** A portal user; returns its id. */
    String createUser(String email, String fullName) throws IOException {
        ObjectNode body = JSON.createObjectNode().put("email", email).put("full_name", fullName);
        String id = post("/admin/users", body).path("id").asText("");
        if (id.isEmpty()) {
            throw new IOException("POST /admin/users answered without an id");
        }
        return id;
    }

    /**
     * A production key with every product scope, the enterprise tier and the same limit per
     * minute, hour and day; returns the plaintext key.
     */
    String createKey(String userId, String name, int limit) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("user_id", userId);
        body.put("name", name);
        body.putPOJO("scopes", GatewayArm.SCOPES);
        body.put("subscription_tier", "enterprise");
        body.put("rate_limit_per_minute", limit);
        body.put("rate_limit_per_hour", limit);
        body.put("rate_limit_per_day", limit);
        String key = post("/admin/keys", body).path("key").asText("");
        if (key.isEmpty()) {
            throw new IOException("POST /admin/keys answered without a key");
        }
        return key;
    }

    private JsonNode post(String path, JsonNode body) throws IOException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build();
        HttpResponse<String> res;
        try {
            res = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (res.statusCode() != 201 && res.statusCode() != 200) {
            // A refused creation carries no key in its body: safe to show.
            throw new IOException("POST " + path + " answered " + res.statusCode() + ": " + res.body());
        }
        return JSON.readTree(res.body());
    }
}
