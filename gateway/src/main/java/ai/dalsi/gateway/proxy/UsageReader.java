package ai.dalsi.gateway.proxy;

import ai.dalsi.metering.TokenUsage;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Reads a usage object from a stream of JSON tokens, wherever it sits ({@link Where}), with the
 * length of the top-level {@code choices} array and the top-level {@code type}, skipping everything
 * else token by token, so the reader keeps no part of the document.
 *
 * <p>Both OpenAI shapes are understood: {@code prompt_tokens} / {@code completion_tokens} with
 * {@code prompt_tokens_details.cached_tokens} and {@code completion_tokens_details.reasoning_tokens}
 * (chat, completions, embeddings), and {@code input_tokens} / {@code output_tokens} with
 * {@code input_tokens_details.cached_tokens} and {@code output_tokens_details.reasoning_tokens}
 * (responses, images).
 */
final class UsageReader {

    /** Where the usage object is. */
    enum Where {
        /** {@code {"usage": {...}}}: chat, completions, embeddings, images, a whole response object. */
        TOP_LEVEL,
        /** {@code {"type": "response.completed", "response": {"usage": {...}}}}: a responses stream event. */
        IN_RESPONSE,
        /** The document is the usage object itself. */
        DOCUMENT
    }

    private static final int MAX_DEPTH = 8;

    private final Where where;
    /** Open containers: 1 inside the root object. */
    private int depth;
    /** The member name last seen in the object at each depth (null in arrays). */
    private final String[] keys = new String[MAX_DEPTH + 1];
    /** Depth inside the usage object while it is open, else -1. */
    private int usageDepth = -1;
    private boolean choicesOpen;

    private boolean usageSeen;
    private long promptTokens = -1;
    private long completionTokens = -1;
    private long totalTokens = -1;
    private long inputTokens = -1;
    private long outputTokens = -1;
    private long cachedTokens;
    private long reasoningTokens;
    private boolean choicesSeen;
    private int choicesCount;
    private String type;

    UsageReader(Where where) {
        this.where = where;
    }

    void token(JsonToken t, JsonParser p) throws IOException {
        switch (t) {
            case FIELD_NAME -> {
                if (depth <= MAX_DEPTH) {
                    keys[depth] = p.currentName();
                }
            }
            case START_OBJECT, START_ARRAY -> {
                valueStarts(t);
                depth++;
                if (depth <= MAX_DEPTH) {
                    keys[depth] = null;
                }
            }
            case END_OBJECT, END_ARRAY -> {
                depth--;
                if (usageDepth > depth) {
                    usageDepth = -1;
                }
                if (depth == 1) {
                    choicesOpen = false;
                }
            }
            default -> {
                valueStarts(t);
                scalar(t, p);
            }
        }
    }

    /** A value starts at the current depth (before the depth changes for a container). */
    private void valueStarts(JsonToken t) {
        if (depth == 2 && choicesOpen) {
            choicesCount++;
        }
        if (t == JsonToken.START_OBJECT && usageDepth < 0 && isUsagePosition()) {
            usageSeen = true;
            usageDepth = depth + 1;
        } else if (t == JsonToken.START_ARRAY && depth == 1 && "choices".equals(keys[1])) {
            choicesSeen = true;
            choicesOpen = true;
        }
    }

    private boolean isUsagePosition() {
        return switch (where) {
            case TOP_LEVEL -> depth == 1 && "usage".equals(keys[1]);
            case IN_RESPONSE -> depth == 2 && "response".equals(keys[1]) && "usage".equals(keys[2]);
            case DOCUMENT -> depth == 0;
        };
    }

    private void scalar(JsonToken t, JsonParser p) throws IOException {
        if (depth == 1 && t == JsonToken.VALUE_STRING && "type".equals(keys[1])) {
            type = p.getText();
            return;
        }
        if (usageDepth < 0 || t != JsonToken.VALUE_NUMBER_INT || depth > MAX_DEPTH) {
            return;
        }
        long v = p.getLongValue();
        String key = keys[depth];
        if (depth == usageDepth && key != null) {
            switch (key) {
                case "prompt_tokens" -> promptTokens = v;
                case "completion_tokens" -> completionTokens = v;
                case "total_tokens" -> totalTokens = v;
                case "input_tokens" -> inputTokens = v;
                case "output_tokens" -> outputTokens = v;
                default -> { }
            }
        } else if (depth == usageDepth + 1 && key != null) {
            String parent = keys[usageDepth];
            if ("cached_tokens".equals(key)
                    && ("prompt_tokens_details".equals(parent) || "input_tokens_details".equals(parent))) {
                cachedTokens = v;
            } else if ("reasoning_tokens".equals(key)
                    && ("completion_tokens_details".equals(parent) || "output_tokens_details".equals(parent))) {
                reasoningTokens = v;
            }
        }
    }

    /** Whether the document had a {@code choices} array and it was empty: OpenAI's usage-only stream chunk. */
    boolean choicesEmpty() {
        return choicesSeen && choicesCount == 0;
    }

    /** The top-level {@code type}, or null. */
    String type() {
        return type;
    }

    /** Whether a usage object was found. */
    boolean hasUsage() {
        return usageSeen;
    }

    /**
     * The usage read, or null when the document carried none. Completion tokens fall back to
     * {@code output_tokens}, then to {@code total_tokens - prompt}; an embedding's usage
     * ({@code prompt_tokens} and {@code total_tokens} only) has none.
     */
    TokenUsage usage(int images) {
        if (!usageSeen) {
            return images > 0 ? TokenUsage.reported(0, 0, images) : null;
        }
        long prompt = promptTokens >= 0 ? promptTokens : Math.max(inputTokens, 0);
        long completion;
        if (completionTokens >= 0) {
            completion = completionTokens;
        } else if (outputTokens >= 0) {
            completion = outputTokens;
        } else if (totalTokens >= 0) {
            completion = Math.max(totalTokens - prompt, 0);
        } else {
            completion = 0;
        }
        return TokenUsage.reported(clamp(prompt), clamp(completion), images, clamp(cachedTokens), clamp(reasoningTokens));
    }

    private static int clamp(long v) {
        return (int) Math.max(0, Math.min(v, Integer.MAX_VALUE));
    }
}
