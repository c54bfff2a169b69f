package ai.dalsi.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Typed, strict reads of a request's JSON object. Every failure is a 400 whose message starts with
 * the field name and says what was expected: {@code rate_limit_per_minute: -5 (expected: > 0)}.
 * Fields the route does not know are refused by name, so a typo never passes silently.
 *
 * <p>Absent and {@code null} differ for PATCH: {@link #has} is false only when the field is absent,
 * and {@link #isNull} says the caller asked to clear it.
 */
final class JsonInput {

    private final ObjectNode node;

    private JsonInput(ObjectNode node) {
        this.node = node;
    }

    /** The body as an object with only the allowed fields. */
    static JsonInput of(byte[] body, Set<String> allowed) {
        ObjectNode node = AdminJson.readObject(body);
        Set<String> unknown = new TreeSet<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                unknown.add(f);
            }
        }
        if (!unknown.isEmpty()) {
            String first = unknown.iterator().next();
            throw AdminProblem.badInput(first, "unknown field" + (unknown.size() > 1 ? "s" : "") + ": "
                    + String.join(", ", unknown) + " (expected: " + String.join(", ", new TreeSet<>(allowed)) + ")");
        }
        return new JsonInput(node);
    }

    boolean has(String field) {
        return node.has(field);
    }

    boolean isNull(String field) {
        return node.has(field) && node.get(field).isNull();
    }

    boolean isEmpty() {
        return node.isEmpty();
    }

    /** A required non-blank string of at most {@code maxLength} characters, stripped. */
    String requiredText(String field, int maxLength) {
        if (!has(field) || isNull(field)) {
            throw AdminProblem.badInput(field, field + ": missing (expected: a string)");
        }
        return text(field, maxLength);
    }

    /** A non-blank string of at most {@code maxLength} characters, stripped; null when absent or null. */
    String text(String field, int maxLength) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw wrongType(field, v, "a string");
        }
        String s = v.textValue().strip();
        if (s.isEmpty()) {
            throw AdminProblem.badInput(field, field + ": empty (expected: a non-empty string)");
        }
        if (s.length() > maxLength) {
            throw AdminProblem.badInput(field, field + ": " + s.length() + " characters (expected: at most "
                    + maxLength + ")");
        }
        return s;
    }

    /** An integer greater than zero; null when absent or null. */
    Integer positiveInt(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw wrongType(field, v, "an integer > 0");
        }
        int i = v.intValue();
        if (i <= 0) {
            throw AdminProblem.badInput(field, field + ": " + i + " (expected: > 0)");
        }
        return i;
    }

    /** A decimal number of at least zero (prices); null when absent or null. */
    BigDecimal nonNegativeDecimal(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber()) {
            throw wrongType(field, v, "a number >= 0");
        }
        BigDecimal d = v.decimalValue();
        if (d.signum() < 0) {
            throw AdminProblem.badInput(field, field + ": " + d.toPlainString() + " (expected: >= 0)");
        }
        return d;
    }

    /** true or false; null when absent or null. */
    Boolean bool(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            throw wrongType(field, v, "true or false");
        }
        return v.booleanValue();
    }

    /** A list of distinct non-blank strings (stripped), in order; null when absent or null. */
    List<String> stringList(String field, int maxItems, int maxLength) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isArray()) {
            throw wrongType(field, v, "a list of strings");
        }
        if (v.size() > maxItems) {
            throw AdminProblem.badInput(field, field + ": " + v.size() + " entries (expected: at most " + maxItems + ")");
        }
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            String name = field + "[" + i + "]";
            if (!e.isTextual() || e.textValue().isBlank()) {
                throw AdminProblem.badInput(field, name + ": " + e + " (expected: a non-empty string)");
            }
            String s = e.textValue().strip();
            if (s.length() > maxLength) {
                throw AdminProblem.badInput(field, name + ": " + s.length() + " characters (expected: at most "
                        + maxLength + ")");
            }
            if (!out.add(s)) {
                throw AdminProblem.badInput(field, name + ": \"" + s + "\" repeated (expected: distinct values)");
            }
        }
        return new ArrayList<>(out);
    }

    /** An ISO-8601 instant with an offset ({@code 2030-01-01T00:00:00Z}); null when absent or null. */
    Instant instant(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw wrongType(field, v, "an ISO-8601 time such as 2030-01-31T00:00:00Z");
        }
        try {
            return OffsetDateTime.parse(v.textValue().strip()).toInstant();
        } catch (DateTimeParseException e) {
            throw AdminProblem.badInput(field, field + ": \"" + v.textValue()
                    + "\" (expected: an ISO-8601 time with offset such as 2030-01-31T00:00:00Z)");
        }
    }

    /** An id; null when absent or null. */
    UUID uuid(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isTextual()) {
            try {
                return UUID.fromString(v.textValue().strip());
            } catch (IllegalArgumentException e) {
                // fall through to the common message
            }
        }
        throw wrongType(field, v, "an id (UUID)");
    }

    /** A JSON object member as is; null when absent or null. */
    ObjectNode object(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw wrongType(field, v, "a JSON object");
        }
        return (ObjectNode) v;
    }

    private static AdminProblem wrongType(String field, JsonNode v, String expected) {
        String shown = v.toString();
        if (shown.length() > 80) {
            shown = shown.substring(0, 77) + "...";
        }
        return AdminProblem.badInput(field, field + ": " + shown + " (expected: " + expected + ")");
    }
}
