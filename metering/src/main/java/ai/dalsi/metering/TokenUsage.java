package ai.dalsi.metering;

import ai.dalsi.metering.tokens.GeneratedText;
import ai.dalsi.metering.tokens.Prompt;
import ai.dalsi.metering.tokens.TokenCounter;

/**
 * What a request consumed: tokens in and out, images made. {@code estimated} is true when the
 * backend reported no usage and the numbers were counted by the gateway ({@link #counted}).
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
     * The usage of an answer that carried no usage numbers, counted with the model's real tokenizer
     * over what the model read and wrote and nothing else: the prompt's messages (with OpenAI's
     * per-message overhead, see {@link TokenCounter#countPrompt}) and the generated text, never the
     * request's other members, the response's JSON or the stream's SSE framing. Flagged
     * {@code estimated}, so the row says {@code usage_estimated}. An answer that generated nothing
     * (a stream cut before its first token) counts its prompt and zero completion tokens.
     *
     * @param model     the model asked for (chooses the encoding)
     * @param prompt    the request's prompt ({@link ai.dalsi.metering.tokens.PromptReader})
     * @param generated what the backend generated, as far as it reached the gateway
     * @param images    images generated
     */
    public static TokenUsage counted(TokenCounter counter, String model, Prompt prompt, GeneratedText generated,
            int images) {
        return new TokenUsage(counter.countPrompt(model, prompt), counter.countGenerated(model, generated), images,
                true);
    }

    /**
     * An estimate from body sizes: request and response bytes divided by {@link #BYTES_PER_TOKEN},
     * rounded up, at least one token each way, flagged {@code estimated}. It counts JSON and SSE
     * framing as tokens and so overstates streams several times over; {@link #counted} is the
     * honest figure wherever the prompt and generated text are at hand.
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
