package ai.dalsi.gateway.admin;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;

/**
 * The admin API's JSON: records out in snake_case with ISO-8601 instants and plain decimals;
 * bodies in parsed strictly (duplicate keys and trailing content refused, decimals exact).
 */
final class AdminJson {

    private static final ObjectMapper WRITER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    private static final ObjectMapper READER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private AdminJson() {
    }

    static byte[] write(Object value) {
        try {
            return WRITER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render admin response", e);
        }
    }

    /** A JSON object or array, usable where a record needs a raw JSON member (capabilities, pricing). */
    static JsonNode tree(String json) {
        try {
            return READER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is invalid", e);
        }
    }

    /** Parses a request body that must be a JSON object; 400 naming {@code body} otherwise. */
    static ObjectNode readObject(byte[] body) {
        if (body.length == 0) {
            throw AdminProblem.badInput("body", "body: missing (expected: a JSON object)");
        }
        JsonNode node;
        try {
            node = READER.readTree(body);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr();
            throw AdminProblem.badInput("body", "body: not valid JSON" + where + " (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw AdminProblem.badInput("body", "body: unreadable");
        }
        if (node == null || !node.isObject()) {
            throw AdminProblem.badInput("body", "body: expected a JSON object");
        }
        return (ObjectNode) node;
    }

    static ObjectNode objectNode() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** A record as the JSON object it is rendered as. */
    static ObjectNode toTree(Object value) {
        return WRITER.valueToTree(value);
    }

    static ObjectNode errorBody(String message, String field) {
        ObjectNode error = JsonNodeFactory.instance.objectNode();
        error.put("message", message);
        error.put("field", field);
        return error;
    }
}
