package ai.dalsi.gateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.persistence.UuidV7;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.UUID;

/** Assertions on what a client receives from the edge. */
public final class Responses {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Responses() {
    }

    /** The response's {@code x-request-id}, checked to be a UUIDv7. */
    public static String requestId(HttpResponse<?> r) {
        String id = r.headers().firstValue("x-request-id").orElseThrow(
                () -> new AssertionError("no x-request-id on " + r.statusCode() + " " + r.headers().map()));
        assertThat(UuidV7.isV7(UUID.fromString(id))).as("x-request-id %s is a UUIDv7", id).isTrue();
        return id;
    }

    /**
     * Asserts OpenAI's error JSON with this status, code and type (and an x-request-id); returns the
     * error object.
     */
    public static JsonNode error(HttpResponse<String> r, int status, String code, String type) {
        assertThat(r.statusCode()).as("status of %s", r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        requestId(r);
        JsonNode root = json(r.body());
        JsonNode error = root.get("error");
        assertThat(error).as("error object in %s", r.body()).isNotNull();
        assertThat(error.get("code").asText()).isEqualTo(code);
        assertThat(error.get("type").asText()).isEqualTo(type);
        assertThat(error.get("message").asText()).isNotBlank();
        assertThat(error.has("param")).isTrue();
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
        return error;
    }

    public static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }
}
