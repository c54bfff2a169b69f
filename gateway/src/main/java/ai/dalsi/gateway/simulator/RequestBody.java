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
 * parser (no tree, and text is measured rather than copied: this is the benchmark backend).
 *
 * @param model            {@code model}, or null
 * @param stream           {@code stream}
 * @param includeUsage     {@code stream_options.include_usage}
 * @param maxTokens        the smaller of {@code max_tokens} and {@code max_completion_tokens}, or -1
 * @param messages         number of {@code messages}, or -1 when absent
 * @param messageChars     characters of text in the messages
 * @param messageImages    image parts in the messages
 * @param prompt           {@code prompt} present (a string or an array)
 * @param promptChars      characters of a string prompt (or of the strings in an array)
 * @param promptTokens     elements of a token-array prompt
 * @param n                {@code n}, or -1
 * @param base64           {@code response_format} is {@code "b64_json"}, or {@code encoding_format} is {@code "base64"}
 * @param quality          {@code quality}, or null
 * @param inputs           number of {@code input}s (embeddings: strings or token arrays; responses: 1 for a
 *                         string, else the items), or -1 when absent
 * @param inputChars       characters of text in {@code input} (and {@code instructions})
 * @param inputTokenIds    token ids given in {@code input} (token-array inputs)
 * @param dimensions       {@code dimensions}, or -1
 */
record RequestBody(
        String model, boolean stream, boolean includeUsage, int maxTokens,
        int messages, long messageChars, int messageImages,
        boolean prompt, long promptChars, int promptTokens,
        int n, boolean base64, String quality,
        int inputs, long inputChars, int inputTokenIds, int dimensions) {

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
        long messageChars = 0;
        int messageImages = 0;
        boolean prompt = false;
        long promptChars = 0;
        int promptTokens = 0;
        int n = -1;
        boolean base64 = false;
        String quality = null;
        int inputs = -1;
        long inputChars = 0;
        int inputTokenIds = 0;
        int dimensions = -1;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "model" -> model = nullableString(p, t, "model");
                case "quality" -> quality = nullableString(p, t, "quality");
                case "stream" -> stream = bool(t, "stream");
                case "stream_options" -> includeUsage = includeUsage(p, t);
                case "max_tokens", "max_completion_tokens", "max_output_tokens" -> {
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
                case "response_format" -> {
                    base64 = t == JsonToken.VALUE_STRING && "b64_json".equals(p.getText());
                    p.skipChildren();
                }
                case "encoding_format" -> base64 = t == JsonToken.VALUE_STRING && "base64".equals(p.getText());
                case "dimensions" -> {
                    dimensions = integer(p, t, "dimensions");
                    if (t == JsonToken.VALUE_NUMBER_INT && dimensions < 1) {
                        throw new Invalid("dimensions", "Invalid 'dimensions': integer below minimum value. Expected a "
                                + "value >= 1, but got " + dimensions + " instead.");
                    }
                }
                case "instructions" -> {
                    if (t == JsonToken.VALUE_STRING) {
                        inputChars += p.getTextLength();
                    } else if (t != JsonToken.VALUE_NULL) {
                        throw wrongType("instructions", "a string");
                    }
                }
                case "input" -> {
                    long[] counts = readInput(p, t);
                    inputs = (int) counts[0];
                    inputChars += counts[1];
                    inputTokenIds += (int) counts[2];
                }
                case "messages" -> {
                    if (t != JsonToken.START_ARRAY) {
                        throw wrongType("messages", "an array");
                    }
                    messages = 0;
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        if (p.currentToken() != JsonToken.START_OBJECT) {
                            throw wrongType("messages[" + messages + "]", "an object");
                        }
                        long[] counts = readMessage(p, messages);
                        messageChars += counts[0];
                        messageImages += (int) counts[1];
                        messages++;
                    }
                }
                case "prompt" -> {
                    prompt = t != JsonToken.VALUE_NULL;
                    if (t == JsonToken.VALUE_STRING) {
                        promptChars = p.getTextLength();
                    } else if (t == JsonToken.START_ARRAY) {
                        JsonToken e;
                        while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
                            if (e == JsonToken.VALUE_STRING) {
                                promptChars += p.getTextLength();
                            } else if (e == JsonToken.VALUE_NUMBER_INT) {
                                promptTokens++;
                            } else {
                                // an array of token arrays: count its tokens
                                p.skipChildren();
                                promptTokens++;
                            }
                        }
                    } else if (t != JsonToken.VALUE_NULL) {
                        throw wrongType("prompt", "a string or an array");
                    }
                }
                default -> p.skipChildren();
            }
        }
        return new RequestBody(model, stream, includeUsage, maxTokens, messages, messageChars, messageImages,
                prompt, promptChars, promptTokens, n, base64, quality, inputs, inputChars, inputTokenIds, dimensions);
    }

    /**
     * Returns {inputs, characters of text, token ids} of an {@code input}: a string; an array of
     * strings, of token ids (one input), of token arrays (embeddings); or of items with a
     * {@code content} string or parts with {@code text} (responses).
     */
    private static long[] readInput(JsonParser p, JsonToken t) throws IOException, Invalid {
        if (t == JsonToken.VALUE_NULL) {
            return new long[] {-1, 0, 0};
        }
        if (t == JsonToken.VALUE_STRING) {
            return new long[] {1, p.getTextLength(), 0};
        }
        if (t != JsonToken.START_ARRAY) {
            throw wrongType("input", "a string or an array");
        }
        long inputs = 0;
        long chars = 0;
        long ids = 0;
        boolean flatIds = false;
        JsonToken e;
        while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
            switch (e) {
                case VALUE_STRING -> {
                    inputs++;
                    chars += p.getTextLength();
                }
                case VALUE_NUMBER_INT -> {
                    ids++;
                    flatIds = true;
                }
                case START_ARRAY -> {
                    inputs++;
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        ids++;
                        p.skipChildren();
                    }
                }
                case START_OBJECT -> {
                    inputs++;
                    chars += readMessage(p, (int) inputs - 1)[0];
                }
                default -> throw wrongType("input", "a string or an array of strings, token ids or items");
            }
        }
        if (flatIds) {
            inputs++;
        }
        return new long[] {inputs, chars, ids};
    }

    /** Returns {characters of text, image parts} of one message; the parser is at its START_OBJECT. */
    private static long[] readMessage(JsonParser p, int index) throws IOException, Invalid {
        long chars = 0;
        long images = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            if (!"content".equals(field)) {
                p.skipChildren();
                continue;
            }
            if (t == JsonToken.VALUE_STRING) {
                chars += p.getTextLength();
            } else if (t == JsonToken.START_ARRAY) {
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    if (p.currentToken() != JsonToken.START_OBJECT) {
                        throw wrongType("messages[" + index + "].content", "a string or an array of content parts");
                    }
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String part = p.currentName();
                        JsonToken v = p.nextToken();
                        if ("text".equals(part) && v == JsonToken.VALUE_STRING) {
                            chars += p.getTextLength();
                        } else if ("image_url".equals(part)) {
                            images++;
                            p.skipChildren();
                        } else {
                            p.skipChildren();
                        }
                    }
                }
            } else if (t != JsonToken.VALUE_NULL) {
                throw wrongType("messages[" + index + "].content", "a string or an array of content parts");
            }
        }
        return new long[] {chars, images};
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
