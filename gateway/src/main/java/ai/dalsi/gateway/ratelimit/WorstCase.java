package ai.dalsi.gateway.ratelimit;

import ai.dalsi.metering.CostCalculator;
import ai.dalsi.metering.Pricing;
import ai.dalsi.metering.TokenUsage;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * The most a request can consume before it runs: what admission reserves against token limits and
 * monthly budgets, and what the end of the exchange settles to the real usage.
 *
 * @param tokens prompt tokens plus the most the answer may have
 * @param cost   those tokens (and images) priced as a successful request, USD
 */
public record WorstCase(long tokens, BigDecimal cost) {

    /** Nothing to reserve (requests that consume no tokens and cost nothing). */
    public static final WorstCase NONE = new WorstCase(0, CostCalculator.ZERO);

    public WorstCase {
        Objects.requireNonNull(cost, "cost");
        if (tokens < 0 || cost.signum() < 0) {
            throw new IllegalArgumentException("negative worst case: " + tokens + " tokens, " + cost + " USD");
        }
    }

    /**
     * The worst case of a request: its prompt tokens (counted with the model's tokenizer) plus the
     * completion it may have: {@code max_tokens} (or {@code max_completion_tokens}) times
     * {@code n} when the client set one, else the product's {@code max_tokens_per_request} (the
     * most the product allows a request, all choices together). Its cost is that usage priced as
     * a success: the product's base price, the tokens at the model's prices (or the product's per
     * 1k), {@code images} at the model's price per image ({@link CostCalculator#price}).
     *
     * @param promptTokens     the prompt, counted
     * @param maxTokens        the client's {@code max_tokens} / {@code max_completion_tokens} (the larger),
     *                         or -1 when it set neither
     * @param n                choices asked for, at least 1
     * @param productMaxTokens the product's {@code max_tokens_per_request}
     * @param images           images the request asks for (image generation), else 0
     */
    public static WorstCase of(int promptTokens, long maxTokens, long n, int productMaxTokens, int images,
            Pricing pricing) {
        if (promptTokens < 0 || n < 1 || productMaxTokens < 1 || images < 0) {
            throw new IllegalArgumentException("prompt " + promptTokens + ", n " + n + ", product max "
                    + productMaxTokens + ", images " + images);
        }
        long completion = maxTokens >= 0 ? saturatedProduct(maxTokens, n) : productMaxTokens;
        long tokens = saturatedSum(promptTokens, completion);
        TokenUsage usage = new TokenUsage(promptTokens, (int) Math.min(completion, Integer.MAX_VALUE), images, false);
        return new WorstCase(tokens, CostCalculator.price(usage, pricing));
    }

    private static long saturatedProduct(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return hi != 0 || lo < 0 ? Long.MAX_VALUE : lo;
    }

    private static long saturatedSum(long a, long b) {
        long s = a + b;
        return s < 0 ? Long.MAX_VALUE : s;
    }
}
