package ai.dalsi.metering;

/**
 * What a request consumed: tokens in and out, images made. {@code estimated} is true when the
 * backend reported no usage and the numbers come from {@link #estimate}.
 *
 * <p>{@code cachedTokens} and {@code reasoningTokens} are the details a backend may report
 * ({@code prompt_tokens_details.cached_tokens} / {@code input_tokens_details.cached_tokens}, and
 * {@code completion_tokens_details.reasoning_tokens} / {@code output_tokens_details.reasoning_tokens}):
 * parts of {@code promptTokens} and {@code completionTokens}, not additions to them. They are
 * recorded in the usage row's metadata; prices apply to the totals.
 */
public record TokenUsage(int promptTokens, int completionTokens, int images, boolean estimated, int cachedTokens,
        int reasoningTokens) {

    /** Nothing consumed (rejected requests, backend errors). */
    public static final TokenUsage NONE = new TokenUsage(0, 0, 0, false);

    /** Bytes per token assumed by {@link #estimate}: the usual rule of thumb for English text and JSON. */
    public static final int BYTES_PER_TOKEN = 4;

    public TokenUsage {
        if (promptTokens < 0 || completionTokens < 0 || images < 0 || cachedTokens < 0 || reasoningTokens < 0) {
            throw new IllegalArgumentException("negative usage: " + promptTokens + "/" + completionTokens + "/" + images
                    + "/" + cachedTokens + "/" + reasoningTokens);
        }
    }

    /** Usage without cached or reasoning details. */
    public TokenUsage(int promptTokens, int completionTokens, int images, boolean estimated) {
        this(promptTokens, completionTokens, images, estimated, 0, 0);
    }

    /** Reported usage with its details (cached prompt tokens, reasoning tokens). */
    public static TokenUsage reported(int promptTokens, int completionTokens, int images, int cachedTokens,
            int reasoningTokens) {
        return new TokenUsage(promptTokens, completionTokens, images, false, cachedTokens, reasoningTokens);
    }

    /** Usage reported by the backend. */
    public static TokenUsage reported(int promptTokens, int completionTokens, int images) {
        return new TokenUsage(promptTokens, completionTokens, images, false);
    }

    /**
     * An estimate for a successful response that carried no usage numbers: request and response
     * body sizes divided by {@link #BYTES_PER_TOKEN}, rounded up, at least one token each way.
     * Never a silent zero: the row is flagged {@code usage_estimated} in its metadata.
     */
    public static TokenUsage estimate(long requestBodyBytes, long responseBodyBytes, int images) {
        return new TokenUsage(tokensFor(requestBodyBytes), tokensFor(responseBodyBytes), images, true);
    }

    /**
     * An estimate for a product whose answer is not generated text (embeddings: the response is
     * vectors, billed by input tokens only): the request body's tokens in, none out.
     */
    public static TokenUsage estimateInputOnly(long requestBodyBytes) {
        return new TokenUsage(tokensFor(requestBodyBytes), 0, 0, true);
    }

    private static int tokensFor(long bytes) {
        long t = (Math.max(bytes, 1) + BYTES_PER_TOKEN - 1) / BYTES_PER_TOKEN;
        return (int) Math.min(t, Integer.MAX_VALUE);
    }

    /** prompt + completion tokens, the figure stored in {@code tokens_used}. */
    public int totalTokens() {
        long t = (long) promptTokens + completionTokens;
        return (int) Math.min(t, Integer.MAX_VALUE);
    }
}
