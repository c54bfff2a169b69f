package ai.dalsi.gateway.simulator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The few facts the simulator needs from a request body, read in one pass with Jackson's streaming
 * parser (no tree: this is the benchmark backend). The prompt's tokens are counted apart, with the
 * real tokenizer ({@link ReplyPlanner}).
 *
 * @param model            {@code model}, or null
 * @param stream           {@code stream}
 * @param includeUsage     {@code stream_options.include_usage}
 * @param maxTokens        the smaller of {@code max_tokens} and {@code max_completion_tokens}, or -1
 * @param messages         number of {@code messages}, or -1 when absent
 * @param prompt           {@code prompt} present (a string or an array)
 * @param n                {@code n}, or -1
 * @param base64           {@code response_format} is {@code "b64_json"}
 * @param quality          {@code quality}, or null
 */
record RequestBody(
        String model, boolean stream, boolean includeUsage, int maxTokens,
        int messages, boolean prompt, int n, boolean base64, String quality) {

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
            .build();

    /** The body is not valid JSON, or a field has the wrong type. Carries no stack trace. */
    static final class Invalid extends Exception {
        private final String param;

        Invalid(String param, String message) {
            super(message, null, false, false);
            this.param = param;
        }

        /** The field at fault, or null when the body is not JSON at all. */
        String param() {
            return param;
        }
    }

    private static final String NOT_JSON = "We could not parse the JSON body of your request. (HINT: This likely "
            + "means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what "
            + "was sent was not valid JSON.)";

    static RequestBody parse(ByteBuf content) throws Invalid {
        try (InputStream in = new ByteBufInputStream(content.duplicate());
                JsonParser p = JSON.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new Invalid(null, NOT_JSON);
            }
            RequestBody body = readObject(p);
            if (p.nextToken() != null) {
                throw new Invalid(null, NOT_JSON);
            }
            return body;
        } catch (IOException e) {
            throw new Invalid(null, NOT_JSON);
        }
    }

    private static RequestBody readObject(JsonParser p) throws IOException, Invalid {
        String model = null;
        boolean stream = false;
        boolean includeUsage = false;
        int maxTokens = -1;
        int messages = -1;
        boolean prompt = false;
        int n = -1;
        boolean base64 = false;
        String quality = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "model" -> model = nullableString(p, t, "model");
                case "quality" -> quality = nullableString(p, t, "quality");
                case "stream" -> stream = bool(t, "stream");
                case "stream_options" -> includeUsage = includeUsage(p, t);
                case "max_tokens", "max_completion_tokens" -> {
                    int v = integer(p, t, field);
                    if (v != -1 && (maxTokens == -1 || v < maxTokens)) {
                        maxTokens = v;
                    }
                    if (t == JsonToken.VALUE_NUMBER_INT && v < 1) {
                        throw new Invalid(field, "Invalid '" + field + "': integer below minimum value. Expected a "
                                + "value >= 1, but got " + v + " instead.");
                    }
                }
                case "n" -> {
                    n = integer(p, t, "n");
                }
                case "response_format" -> base64 = t == JsonToken.VALUE_STRING && "b64_json".equals(p.getText());
                case "messages" -> {
                    if (t != JsonToken.START_ARRAY) {
                        throw wrongType("messages", "an array");
                    }
                    messages = 0;
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        if (p.currentToken() != JsonToken.START_OBJECT) {
                            throw wrongType("messages[" + messages + "]", "an object");
                        }
                        readMessage(p, messages);
                        messages++;
                    }
                }
                case "prompt" -> {
                    prompt = t != JsonToken.VALUE_NULL;
                    if (t != JsonToken.VALUE_STRING && t != JsonToken.START_ARRAY && t != JsonToken.VALUE_NULL) {
                        throw wrongType("prompt", "a string or an array");
                    }
                    p.skipChildren();
                }
                default -> p.skipChildren();
            }
        }
        return new RequestBody(model, stream, includeUsage, maxTokens, messages, prompt, n, base64, quality);
    }

    /** Checks the shape of one message's content; the parser is at its START_OBJECT. */
    private static void readMessage(JsonParser p, int index) throws IOException, Invalid {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            if (!"content".equals(field)) {
                p.skipChildren();
                continue;
            }
            if (t == JsonToken.START_ARRAY) {
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    if (p.currentToken() != JsonToken.START_OBJECT) {
                        throw wrongType("messages[" + index + "].content", "a string or an array of content parts");
                    }
                    p.skipChildren();
                }
            } else if (t != JsonToken.VALUE_STRING && t != JsonToken.VALUE_NULL) {
                throw wrongType("messages[" + index + "].content", "a string or an array of content parts");
            }
        }
    }

    private static boolean includeUsage(JsonParser p, JsonToken t) throws IOException, Invalid {
        if (t == JsonToken.VALUE_NULL) {
            return false;
        }
        if (t != JsonToken.START_OBJECT) {
            throw wrongType("stream_options", "an object");
        }
        boolean include = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            if ("include_usage".equals(field)) {
                include = bool(v, "stream_options.include_usage");
            } else {
                p.skipChildren();
            }
        }
        return include;
    }

    private static String nullableString(JsonParser p, JsonToken t, String field) throws IOException, Invalid {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.VALUE_STRING) {
            throw wrongType(field, "a string");
        }
        return p.getText();
    }

    private static boolean bool(JsonToken t, String field) throws Invalid {
        return switch (t) {
            case VALUE_TRUE -> true;
            case VALUE_FALSE, VALUE_NULL -> false;
            default -> throw wrongType(field, "a boolean");
        };
    }

    /** An int field's value, -1 when null. */
    private static int integer(JsonParser p, JsonToken t, String field) throws IOException, Invalid {
        if (t == JsonToken.VALUE_NULL) {
            return -1;
        }
        if (t != JsonToken.VALUE_NUMBER_INT) {
            throw wrongType(field, "an integer");
        }
        long v = p.getValueAsLong();
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
    }

    private static Invalid wrongType(String field, String expected) {
        return new Invalid(field, "Invalid type for '" + field + "': expected " + expected + ".");
    }
}
