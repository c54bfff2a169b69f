package ai.dalsi.gateway.proxy;

import ai.dalsi.metering.TokenUsage;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Reads the top-level {@code usage} object, and the length of the top-level {@code data} and
 * {@code choices} arrays, from a stream of JSON tokens, whatever drives it (a blocking parser over
 * one SSE event, or a non-blocking one fed chunk by chunk). Everything else is skipped token by
 * token, so the reader keeps no part of the document.
 */
final class UsageReader {

    private enum Field { NONE, USAGE, DATA, CHOICES }

    /** Open containers: 1 inside the root object. */
    private int depth;
    private Field topField = Field.NONE;
    /** The top-level field whose object or array is open (at depth 2), or NONE. */
    private Field open = Field.NONE;
    private String usageField;

    private boolean usageSeen;
    private long promptTokens = -1;
    private long completionTokens = -1;
    private long totalTokens = -1;
    private long inputTokens = -1;
    private long outputTokens = -1;
    private boolean dataSeen;
    private int dataCount;
    private boolean choicesSeen;
    private int choicesCount;

    void token(JsonToken t, JsonParser p) throws IOException {
        switch (t) {
            case START_OBJECT, START_ARRAY -> {
                value(t, p);
                depth++;
            }
            case END_OBJECT, END_ARRAY -> {
                depth--;
                if (depth == 1) {
                    open = Field.NONE;
                }
            }
            case FIELD_NAME -> {
                if (depth == 1) {
                    topField = switch (p.currentName()) {
                        case "usage" -> Field.USAGE;
                        case "data" -> Field.DATA;
                        case "choices" -> Field.CHOICES;
                        default -> Field.NONE;
                    };
                } else if (depth == 2 && open == Field.USAGE) {
                    usageField = p.currentName();
                }
            }
            default -> value(t, p);
        }
    }

    /** A value starts at the current depth. */
    private void value(JsonToken t, JsonParser p) throws IOException {
        if (depth == 1) {
            if (topField == Field.USAGE && t == JsonToken.START_OBJECT) {
                open = Field.USAGE;
                usageSeen = true;
            } else if (topField == Field.DATA && t == JsonToken.START_ARRAY) {
                open = Field.DATA;
                dataSeen = true;
            } else if (topField == Field.CHOICES && t == JsonToken.START_ARRAY) {
                open = Field.CHOICES;
                choicesSeen = true;
            }
        } else if (depth == 2) {
            switch (open) {
                case USAGE -> {
                    if (t == JsonToken.VALUE_NUMBER_INT && usageField != null) {
                        long v = p.getLongValue();
                        switch (usageField) {
                            case "prompt_tokens" -> promptTokens = v;
                            case "completion_tokens" -> completionTokens = v;
                            case "total_tokens" -> totalTokens = v;
                            case "input_tokens" -> inputTokens = v;
                            case "output_tokens" -> outputTokens = v;
                            default -> { }
                        }
                    }
                }
                case DATA -> dataCount++;
                case CHOICES -> choicesCount++;
                default -> { }
            }
        }
    }

    /** Whether the document had a {@code choices} array and it was empty: OpenAI's usage-only stream chunk. */
    boolean choicesEmpty() {
        return choicesSeen && choicesCount == 0;
    }

    /**
     * The usage read so far: {@code prompt_tokens}/{@code completion_tokens} (chat, completions) or
     * {@code input_tokens}/{@code output_tokens} (images), with the count of {@code data} entries as
     * images; an images response without a usage object reports its images alone. Null when the
     * document carried neither.
     */
    TokenUsage usage() {
        int images = dataSeen ? dataCount : 0;
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
        return TokenUsage.reported(clamp(prompt), clamp(completion), images);
    }

    private static int clamp(long v) {
        return (int) Math.max(0, Math.min(v, Integer.MAX_VALUE));
    }
}
