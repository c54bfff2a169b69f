package ai.dalsi.persistence.repo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.jooq.JSONB;

/** The JSON shapes the key table needs: {@code scopes} is a JSON array of strings. */
final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    static JSONB stringArray(List<String> values) {
        try {
            return JSONB.jsonb(MAPPER.writeValueAsString(values));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not representable as JSON: " + values, e);
        }
    }

    /**
     * The strings of a JSON array. Anything else (an object, a number, null) yields no strings,
     * which for scopes means "no scope" rather than a failure.
     */
    static List<String> stringList(JSONB json) {
        List<String> out = new ArrayList<>();
        if (json == null) {
            return out;
        }
        try {
            JsonNode node = MAPPER.readTree(json.data());
            if (node.isArray()) {
                for (JsonNode element : node) {
                    if (element.isTextual()) {
                        out.add(element.textValue());
                    }
                }
            }
        } catch (JsonProcessingException e) {
            // jsonb from PostgreSQL is always valid JSON; nothing to recover here.
            throw new IllegalStateException("invalid jsonb from the database", e);
        }
        return out;
    }
}
