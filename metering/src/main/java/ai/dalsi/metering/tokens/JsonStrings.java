package ai.dalsi.metering.tokens;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.function.Consumer;

/** Reading helpers shared by {@link PromptReader} and {@link GeneratedText}. */
final class JsonStrings {

    private JsonStrings() {
    }

    /**
     * Passes on the string values of the named members found anywhere inside the current value
     * (e.g. a tool call's {@code name} and {@code arguments}), leaving the parser at its end.
     * Does nothing for a scalar value.
     */
    static void collect(JsonParser p, JsonToken current, Consumer<String> into, String... members) throws IOException {
        if (current != JsonToken.START_OBJECT && current != JsonToken.START_ARRAY) {
            return;
        }
        int depth = 1;
        while (depth > 0) {
            JsonToken e = p.nextToken();
            if (e == null) {
                return;
            }
            switch (e) {
                case START_OBJECT, START_ARRAY -> depth++;
                case END_OBJECT, END_ARRAY -> depth--;
                case VALUE_STRING -> {
                    String member = p.currentName();
                    for (String m : members) {
                        if (m.equals(member)) {
                            into.accept(p.getText());
                            break;
                        }
                    }
                }
                default -> {
                }
            }
        }
    }
}
