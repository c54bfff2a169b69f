package ai.dalsi.gateway.config;

import ai.dalsi.gateway.error.Echo;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * What the config loader refuses before and while binding, in its own words rather than the
 * parser's: a second YAML document (only the first would be read), text after a JSON value in an
 * environment variable, control characters in any setting, and values beyond the parser's limits
 * (nesting, number length) or a number's type. Values are echoed through {@link Echo}, so an
 * error stays one short line whatever was given.
 */
final class ConfigInput {

    private ConfigInput() {
    }

    /** The one document in {@code text}; a second one is an error rather than silently ignored. */
    static JsonNode singleDocument(ObjectMapper mapper, String text, String source) throws IOException {
        try (JsonParser p = mapper.createParser(text)) {
            JsonNode node = mapper.readTree(p);
            if (node != null && p.nextToken() != null) {
                throw new ConfigException(source + ": more than one document (expected: one mapping of sections)");
            }
            return node;
        }
    }

    /** One JSON value, nothing after it. */
    static JsonNode singleValue(ObjectMapper mapper, String text) throws IOException {
        try (JsonParser p = mapper.createParser(text)) {
            JsonNode node = mapper.readTree(p);
            if (p.nextToken() != null) {
                throw new com.fasterxml.jackson.core.JsonParseException(p, "trailing content");
            }
            return node;
        }
    }

    /**
     * Adds a problem for each setting whose text holds a control character; never shows the value.
     *
     * @param source where a setting came from ({@code " [from GATEWAY_...]"} or empty)
     */
    static void refuseControlCharacters(JsonNode node, String path, UnaryOperator<String> source,
            List<String> problems) {
        if (node.isTextual()) {
            String s = node.textValue();
            for (int i = 0; i < s.length(); i++) {
                if (Character.isISOControl(s.charAt(i))) {
                    problems.add(path + ": contains the control character " + String.format("U+%04X", (int) s.charAt(i))
                            + " (expected: text without control characters)" + source.apply(path));
                    return;
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                refuseControlCharacters(node.get(i), path + "[" + i + "]", source, problems);
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                refuseControlCharacters(f.getValue(), path.isEmpty() ? Echo.name(f.getKey())
                        : path + "." + Echo.name(f.getKey()), source, problems);
            }
        }
    }

    /** A parser limit or a number out of its type's range, in words; null for anything else. */
    static String limitProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StreamConstraintsException sce) {
                String m = String.valueOf(sce.getMessage());
                if (m.startsWith("Document nesting depth")) {
                    return "nested too deeply (expected: sections of settings)";
                }
                if (m.startsWith("Number value length")) {
                    return "too long to read as a number (expected: a shorter number)";
                }
                return "a value too long to read (expected: a shorter value)";
            }
            if (t instanceof InputCoercionException ice) {
                Class<?> type = ice.getTargetType();
                String max = type == int.class || type == Integer.class ? Integer.toString(Integer.MAX_VALUE)
                        : Long.toString(Long.MAX_VALUE);
                return "out of range (expected: an integer of at most " + max + ")";
            }
        }
        return null;
    }

    /** A value as a message shows it: quoted text shortened, anything else as it prints. */
    static String shown(Object value) {
        return value instanceof String s ? Echo.text(s) : Echo.name(String.valueOf(value));
    }
}
