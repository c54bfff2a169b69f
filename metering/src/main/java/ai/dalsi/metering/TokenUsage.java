package ai.dalsi.metering;

/**
 * What a request consumed: tokens in and out, images made. {@code estimated} is true when the
 * backend reported no usage and the numbers come from {@link #estimate}.
 */
public record TokenUsage(int promptTokens, int completionTokens, int images, boolean estimated) {

    /** Nothing consumed (rejected requests, backend errors). */
    public static final TokenUsage NONE = new TokenUsage(0, 0, 0, false);

    /** Bytes per token assumed by {@link #estimate}: the usual rule of thumb for English text and JSON. */
    public static final int BYTES_PER_TOKEN = 4;

    public TokenUsage {
        if (promptTokens < 0 || completionTokens < 0 || images < 0) {
            throw new IllegalArgumentException("negative usage: " + promptTokens + "/" + completionTokens + "/" + images);
        }
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
