package ai.dalsi.gateway.admin;

import ai.dalsi.gateway.error.Echo;
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
import java.util.Map;
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
 *
 * <p>Text anywhere (strings, list entries, the members of a free-form object and their names) must
 * be valid Unicode without control characters other than tab, line feed and carriage return:
 * PostgreSQL cannot store a NUL at all, and the others have no business in names and addresses.
 * Bad values are echoed through {@link Echo}: short, whatever was sent.
 */
final class JsonInput {

    /** Digits a number in a free-form object may have on either side of the decimal point. */
    static final int MAX_FREE_FORM_DIGITS = 100;

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
            throw AdminProblem.badInput(Echo.name(first), "unknown field" + (unknown.size() > 1 ? "s" : "") + ": "
                    + names(unknown) + " (expected: " + String.join(", ", new TreeSet<>(allowed)) + ")");
        }
        return new JsonInput(node);
    }

    /** Up to five names as given (shortened, made visible), then how many more there were. */
    static String names(Set<String> names) {
        StringBuilder sb = new StringBuilder();
        int shown = 0;
        for (String n : names) {
            if (shown == 5) {
                return sb.append(" and ").append(names.size() - shown).append(" more").toString();
            }
            if (shown > 0) {
                sb.append(", ");
            }
            sb.append(Echo.name(n));
            shown++;
        }
        return sb.toString();
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
        String s = plainText(field, v.textValue()).strip();
        if (s.isEmpty()) {
            throw AdminProblem.badInput(field, field + ": empty (expected: a non-empty string)");
        }
        if (s.length() > maxLength) {
            throw AdminProblem.badInput(field, field + ": " + s.length() + " characters (expected: at most "
                    + maxLength + ")");
        }
        return s;
    }

    /**
     * A string exactly as sent (not stripped, may be empty: a password), checked to be plain text;
     * null when absent or null.
     */
    String rawText(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw wrongType(field, v, "a string");
        }
        return plainText(field, v.textValue());
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

    /** An integer greater than zero that may exceed 2^31 (token limits); null when absent or null. */
    Long positiveLong(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw wrongType(field, v, "an integer > 0");
        }
        long l = v.longValue();
        if (l <= 0) {
            throw AdminProblem.badInput(field, field + ": " + l + " (expected: > 0)");
        }
        return l;
    }

    /** An integer from {@code min} to {@code max}; null when absent or null. */
    Integer intBetween(String field, int min, int max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        String expected = "an integer from " + min + " to " + max;
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw wrongType(field, v, expected);
        }
        int i = v.intValue();
        if (i < min || i > max) {
            throw AdminProblem.badInput(field, field + ": " + i + " (expected: " + expected + ")");
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
            throw AdminProblem.badInput(field, field + ": " + Echo.number(d) + " (expected: >= 0)");
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
                throw AdminProblem.badInput(field, name + ": " + shown(e) + " (expected: a non-empty string)");
            }
            String s = plainText(name, field, e.textValue()).strip();
            if (s.length() > maxLength) {
                throw AdminProblem.badInput(field, name + ": " + s.length() + " characters (expected: at most "
                        + maxLength + ")");
            }
            if (!out.add(s)) {
                throw AdminProblem.badInput(field, name + ": " + Echo.text(s)
                        + " repeated (expected: distinct values)");
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
        Instant at;
        try {
            at = OffsetDateTime.parse(v.textValue().strip()).toInstant();
        } catch (DateTimeParseException e) {
            throw AdminProblem.badInput(field, field + ": " + Echo.text(v.textValue())
                    + " (expected: an ISO-8601 time with offset such as 2030-01-31T00:00:00Z)");
        }
        return Validation.storableTime(field, v.textValue(), at);
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

    /** A JSON object member whose every name and string passes {@link #plainText}; null when absent or null. */
    ObjectNode object(String field) {
        return object(field, false);
    }

    /**
     * A JSON object of any content ({@code capabilities}): as {@link #object}, and every number
     * in it fits PostgreSQL's {@code numeric} (which jsonb uses) with room to spare.
     */
    ObjectNode freeFormObject(String field) {
        return object(field, true);
    }

    private ObjectNode object(String field, boolean checkNumbers) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw wrongType(field, v, "a JSON object");
        }
        plainTree(field, field, v, checkNumbers);
        return (ObjectNode) v;
    }

    /** Every name and string under {@code v} passes {@link #plainText}; numbers too, when asked. */
    private static void plainTree(String field, String path, JsonNode v, boolean checkNumbers) {
        if (v.isTextual()) {
            plainText(path, field, v.textValue());
        } else if (v.isNumber() && checkNumbers) {
            BigDecimal d = v.decimalValue();
            if (d.precision() - d.scale() > MAX_FREE_FORM_DIGITS || d.scale() > MAX_FREE_FORM_DIGITS) {
                throw AdminProblem.badInput(field, Echo.name(path) + ": " + Echo.number(d) + " (expected: a number of"
                        + " at most " + MAX_FREE_FORM_DIGITS + " digits before and after the decimal point)");
            }
        } else if (v.isArray()) {
            for (int i = 0; i < v.size(); i++) {
                plainTree(field, path + "[" + i + "]", v.get(i), checkNumbers);
            }
        } else if (v.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> member = it.next();
                String name = path + "." + member.getKey();
                plainText(name, field, member.getKey());
                plainTree(field, name, member.getValue(), checkNumbers);
            }
        }
    }

    /** {@code s}, unless it holds a control character other than tab, LF and CR, or is not valid Unicode. */
    static String plainText(String field, String s) {
        return plainText(field, field, s);
    }

    /**
     * @param name  what the message names ({@code scopes[2]}, {@code capabilities.vision})
     * @param field the request field at fault
     */
    static String plainText(String name, String field, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
                throw AdminProblem.badInput(field, Echo.name(name) + ": contains the control character "
                        + String.format("U+%04X", (int) c) + " (expected: text without control characters)");
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                    continue;
                }
                throw AdminProblem.badInput(field, Echo.name(name) + ": contains an unpaired surrogate "
                        + String.format("U+%04X", (int) c) + " (expected: valid Unicode text)");
            }
        }
        return s;
    }

    /** A value as an error message shows it: short, numbers in scientific notation when long. */
    static String shown(JsonNode v) {
        if (v.isTextual()) {
            return Echo.text(v.textValue());
        }
        if (v.isNumber()) {
            return Echo.number(v.decimalValue());
        }
        return Echo.json(v.toString());
    }

    private static AdminProblem wrongType(String field, JsonNode v, String expected) {
        return AdminProblem.badInput(field, field + ": " + shown(v) + " (expected: " + expected + ")");
    }
}
