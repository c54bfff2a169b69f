package ai.dalsi.metering.tokens;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the prompt of an OpenAI request body in one streaming pass: {@code messages} (chat),
 * {@code prompt} (completions, images) or {@code input} (embeddings, responses: text, or message
 * items). Everything else is skipped. A body that is not such JSON gives {@link Prompt#NONE}: the
 * edge refuses those before anything is counted.
 */
public final class PromptReader {

    private static final JsonFactory JSON = new JsonFactory();

    private PromptReader() {
    }

    /** The prompt of a JSON request body. */
    public static Prompt read(byte[] body, int offset, int length) {
        try (JsonParser p = JSON.createParser(body, offset, length)) {
            return read(p);
        } catch (IOException | RuntimeException e) {
            return Prompt.NONE;
        }
    }

    /** The prompt of a JSON request body read from a stream (not closed here). */
    public static Prompt read(InputStream body) {
        try (JsonParser p = JSON.createParser(body)) {
            return read(p);
        } catch (IOException | RuntimeException e) {
            return Prompt.NONE;
        }
    }

    private static Prompt read(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return Prompt.NONE;
        }
        Prompt found = Prompt.NONE;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "messages" -> found = t == JsonToken.START_ARRAY ? new Prompt.Chat(messages(p)) : skip(p);
                case "prompt", "input" -> found = textOrMessages(p, t);
                default -> p.skipChildren();
            }
        }
        return found;
    }

    private static Prompt skip(JsonParser p) throws IOException {
        p.skipChildren();
        return Prompt.NONE;
    }

    /** A string, an array of strings or token ids (or arrays of them), or an array of message items. */
    private static Prompt textOrMessages(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_STRING) {
            return new Prompt.Text(List.of(p.getText()), 0);
        }
        if (t != JsonToken.START_ARRAY) {
            return skip(p);
        }
        List<String> texts = new ArrayList<>();
        List<Prompt.Message> messages = new ArrayList<>();
        int tokenIds = 0;
        JsonToken e;
        while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
            switch (e) {
                case VALUE_STRING -> texts.add(p.getText());
                case VALUE_NUMBER_INT -> tokenIds++;
                case START_ARRAY -> {
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        p.skipChildren();
                        tokenIds++;
                    }
                }
                case START_OBJECT -> messages.add(message(p));
                default -> p.skipChildren();
            }
        }
        return messages.isEmpty() ? new Prompt.Text(texts, tokenIds) : new Prompt.Chat(messages);
    }

    private static List<Prompt.Message> messages(JsonParser p) throws IOException {
        List<Prompt.Message> messages = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == JsonToken.START_OBJECT) {
                messages.add(message(p));
            } else {
                p.skipChildren();
            }
        }
        return messages;
    }

    /** One message; the parser is at its START_OBJECT and is left at its END_OBJECT. */
    private static Prompt.Message message(JsonParser p) throws IOException {
        String role = null;
        String name = null;
        List<String> texts = new ArrayList<>(1);
        int[] images = {0};
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "role" -> role = t == JsonToken.VALUE_STRING ? p.getText() : skipText(p);
                case "name" -> name = t == JsonToken.VALUE_STRING ? p.getText() : skipText(p);
                case "content" -> content(p, t, texts, images);
                case "refusal", "tool_call_id" -> {
                    if (t == JsonToken.VALUE_STRING) {
                        texts.add(p.getText());
                    } else {
                        p.skipChildren();
                    }
                }
                case "tool_calls", "function_call" -> JsonStrings.collect(p, t, texts::add, "name", "arguments");
                default -> p.skipChildren();
            }
        }
        return new Prompt.Message(role, name, texts, images[0]);
    }

    private static String skipText(JsonParser p) throws IOException {
        p.skipChildren();
        return null;
    }

    private static void content(JsonParser p, JsonToken t, List<String> texts, int[] images) throws IOException {
        if (t == JsonToken.VALUE_STRING) {
            texts.add(p.getText());
            return;
        }
        if (t != JsonToken.START_ARRAY) {
            p.skipChildren();
            return;
        }
        JsonToken e;
        while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
            if (e == JsonToken.VALUE_STRING) {
                texts.add(p.getText());
                continue;
            }
            if (e != JsonToken.START_OBJECT) {
                p.skipChildren();
                continue;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                if ("text".equals(field) && v == JsonToken.VALUE_STRING) {
                    texts.add(p.getText());
                } else if ("image_url".equals(field) || "image_file".equals(field)) {
                    images[0]++;
                    p.skipChildren();
                } else {
                    p.skipChildren();
                }
            }
        }
    }
}
