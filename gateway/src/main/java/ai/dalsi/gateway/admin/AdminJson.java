package ai.dalsi.gateway.admin;

import ai.dalsi.gateway.error.Echo;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
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
 * bodies in parsed strictly (one JSON object, each field once, decimals exact) and within bounds
 * (nesting, number and field-name length), with every parse failure told in the admin API's own
 * words: a 400 naming {@code body} and where the problem is, never the parser's text.
 */
final class AdminJson {

    /** Deepest nesting of objects and arrays a request body may have. */
    static final int MAX_DEPTH = 64;
    /** Longest number, in characters, a request body may hold. */
    static final int MAX_NUMBER_LENGTH = 100;
    /** Longest field name, in characters. */
    static final int MAX_NAME_LENGTH = 200;

    private static final String EXPECTED = "(expected: one JSON object such as {\"name\":\"ci\"})";

    private static final ObjectMapper WRITER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    private static final ObjectMapper READER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_DEPTH)
                            .maxNumberLength(MAX_NUMBER_LENGTH)
                            .maxNameLength(MAX_NAME_LENGTH)
                            .build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    // What PostgreSQL gives back (jsonb) is trusted: its numbers may be as long as numeric allows.
    private static final ObjectMapper STORED = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNumberLength(Integer.MAX_VALUE)
                            .build())
                    .build())
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

    /** Stored JSON (capabilities, pricing) as a tree, for a record that renders it as a JSON member. */
    static JsonNode tree(String json) {
        try {
            return STORED.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is invalid", e);
        }
    }

    /** Parses a request body that must be one JSON object; 400 naming {@code body} otherwise. */
    static ObjectNode readObject(byte[] body) {
        if (body.length == 0) {
            throw AdminProblem.badInput("body", "body: missing (expected: a JSON object)");
        }
        JsonNode node;
        JsonParser p = null;
        try {
            p = READER.createParser(body);
            node = READER.readTree(p);
            if (node != null && p.nextToken() != null) {
                throw bad("body: more than one JSON value" + at(p.currentTokenLocation()) + " " + EXPECTED);
            }
        } catch (StreamConstraintsException e) {
            throw bad("body: " + limit(e) + at(e.getLocation()));
        } catch (JsonProcessingException e) {
            throw bad(notJson(e));
        } catch (NumberFormatException | ArithmeticException e) {
            // A number whose exponent no decimal can hold (1e999999999999): the parser's own exception.
            throw bad("body: a number out of range" + at(p == null ? null : p.currentTokenLocation())
                    + " (expected: numbers with exponents below a billion)");
        } catch (IOException e) {
            throw bad("body: unreadable");
        } finally {
            closeQuietly(p);
        }
        if (node == null || !node.isObject()) {
            throw bad("body: expected a JSON object");
        }
        return (ObjectNode) node;
    }

    private static AdminProblem bad(String message) {
        return AdminProblem.badInput("body", message);
    }

    private static String limit(StreamConstraintsException e) {
        String m = String.valueOf(e.getMessage());
        if (m.startsWith("Document nesting depth")) {
            return "nested deeper than " + MAX_DEPTH + " levels (expected: a JSON object of fields)";
        }
        if (m.startsWith("Number value length")) {
            return "a number longer than " + MAX_NUMBER_LENGTH + " characters (expected: a shorter number)";
        }
        if (m.startsWith("Name length")) {
            return "a field name longer than " + MAX_NAME_LENGTH + " characters (expected: a known field)";
        }
        return "larger than the admin API reads (expected: at most " + MAX_DEPTH + " levels of nesting, numbers of at"
                + " most " + MAX_NUMBER_LENGTH + " characters)";
    }

    /** Jackson names a duplicate field in its message; everything else is just "not valid JSON". */
    private static String notJson(JsonProcessingException e) {
        String m = String.valueOf(e.getOriginalMessage());
        String prefix = "Duplicate field '";
        if (m.startsWith(prefix) && m.endsWith("'")) {
            return "body: field " + Echo.text(m.substring(prefix.length(), m.length() - 1)) + " given twice"
                    + at(e.getLocation()) + " (expected: each field once)";
        }
        return "body: not valid JSON" + at(e.getLocation()) + " " + EXPECTED;
    }

    private static String at(JsonLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    private static void closeQuietly(JsonParser p) {
        if (p != null) {
            try {
                p.close();
            } catch (IOException e) {
                // reading from a byte array: nothing to release
            }
        }
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
