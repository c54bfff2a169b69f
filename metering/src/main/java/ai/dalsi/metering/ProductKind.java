package ai.dalsi.metering;

import java.util.Locale;

/**
 * What kind of answer a product gives, which decides how its usage is read and priced
 * ({@code api_products.kind}). Products are described by data: the gateway never guesses a kind
 * from an endpoint's path.
 *
 * <ul>
 *   <li>{@link #CHAT} ({@code /v1/chat/completions}) and {@link #COMPLETION} ({@code /v1/completions}):
 *       {@code usage.prompt_tokens} / {@code completion_tokens}; a stream reports its usage in its last
 *       chunk when asked to ({@code stream_options.include_usage}, which the gateway adds);</li>
 *   <li>{@link #EMBEDDING} ({@code /v1/embeddings}): billed by input tokens
 *       ({@code usage.prompt_tokens}); the {@code data} array holds vectors, not images;</li>
 *   <li>{@link #IMAGE} ({@code /v1/images/generations}): each entry of the {@code data} array is an
 *       image, plus {@code usage.input_tokens} / {@code output_tokens} when reported;</li>
 *   <li>{@link #RESPONSES} ({@code /v1/responses}): {@code usage.input_tokens} / {@code output_tokens};
 *       a stream has no {@code [DONE]} and reports its usage only in its terminal
 *       {@code response.completed} (or {@code .incomplete}, {@code .failed}) event.</li>
 * </ul>
 */
public enum ProductKind {
    CHAT("chat"),
    COMPLETION("completion"),
    EMBEDDING("embedding"),
    IMAGE("image"),
    RESPONSES("responses");

    /** Most images one request is billed for when the backend reported none (an estimate's bound). */
    private static final int MAX_ESTIMATED_IMAGES = 10_000;

    private final String dbValue;

    ProductKind(String dbValue) {
        this.dbValue = dbValue;
    }

    /** The value stored in {@code api_products.kind}. */
    public String dbValue() {
        return dbValue;
    }

    /** The kind stored as {@code value}, or null when there is none of that name. */
    public static ProductKind ofDbValue(String value) {
        if (value == null) {
            return null;
        }
        String v = value.strip().toLowerCase(Locale.ROOT);
        for (ProductKind k : values()) {
            if (k.dbValue.equals(v)) {
                return k;
            }
        }
        return null;
    }

    /** Whether a streamed answer must be asked for its usage ({@code stream_options.include_usage}). */
    public boolean streamUsageOnRequest() {
        return this == CHAT || this == COMPLETION;
    }

    /**
     * The usage to bill for a successful answer that reported none: the request's tokens in and,
     * for generated text, the answer's tokens out (see {@link TokenUsage#estimate}); an embedding's
     * answer is vectors, so only its input counts; an image answer counts the images requested.
     */
    public TokenUsage estimate(long requestBytes, long responseBytes, long imagesRequested) {
        return switch (this) {
            case EMBEDDING -> TokenUsage.estimateInputOnly(requestBytes);
            case IMAGE -> TokenUsage.estimate(requestBytes, responseBytes,
                    (int) Math.max(1, Math.min(imagesRequested, MAX_ESTIMATED_IMAGES)));
            default -> TokenUsage.estimate(requestBytes, responseBytes, 0);
        };
    }
}
