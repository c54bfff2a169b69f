package ai.dalsi.metering;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The price of one request, in USD with {@value #SCALE} decimal places ({@code numeric(20,8)} in
 * the database), rounded half-up once at the end.
 *
 * <p>The rule:
 * <ul>
 *   <li>A request that did not succeed (status outside 2xx) costs nothing, whatever it consumed,
 *       except one the client abandoned ({@value #CLIENT_CLOSED}) while its answer was being
 *       generated: the answer reached the client in part, so it costs what the backend produced for
 *       it (its usage), priced as a success. A 499 that consumed nothing (the client left before the
 *       backend answered) costs nothing.</li>
 *   <li>A successful request costs the product's {@code base_price_usd}, plus its tokens, plus its
 *       images:
 *     <ul>
 *       <li>tokens: when the model's pricing names {@code input_per_1k} or {@code output_per_1k},
 *           {@code prompt_tokens * input_per_1k / 1000 + completion_tokens * output_per_1k / 1000}
 *           (a missing one of the two counts as 0); otherwise
 *           {@code (prompt_tokens + completion_tokens) * price_per_1k_tokens / 1000} from the
 *           product;</li>
 *       <li>images: {@code images * per_image} from the model's pricing (0 when not priced).</li>
 *     </ul>
 *   </li>
 *   <li>Estimated usage (a success without usage numbers, counted by {@link TokenUsage#counted}) is
 *       priced the same way; the row says it was estimated.</li>
 * </ul>
 */
public final class CostCalculator {

    /** Decimal places of every cost: the scale of {@code cost_usd} and {@code total_cost_usd}. */
    public static final int SCALE = 8;

    /** Zero at the ledger's scale. */
    public static final BigDecimal ZERO = BigDecimal.ZERO.setScale(SCALE);

    /**
     * The largest cost one request may have: what {@code cost_usd numeric(20,8)} holds. A request
     * that could cost more is refused before it is served (the gateway's authorization step), and
     * an event that still carries more is set aside by the ledger, never stored.
     */
    public static final BigDecimal MAX_RECORDABLE = new BigDecimal("999999999999.99999999");

    private CostCalculator() {
    }

    /** The status of a request whose client went away before its answer ended (nginx's convention). */
    public static final int CLIENT_CLOSED = 499;

    /** The cost of a request with this status and usage under these prices. */
    public static BigDecimal cost(int statusCode, TokenUsage usage, Pricing pricing) {
        if (statusCode == CLIENT_CLOSED) {
            return usage.totalTokens() == 0 && usage.images() == 0 ? ZERO : price(usage, pricing);
        }
        if (statusCode < 200 || statusCode > 299) {
            return ZERO;
        }
        return price(usage, pricing);
    }

    /**
     * What this usage costs when it is charged (base price, tokens, images, as above), whatever
     * the status: e.g. the worst case a request may cost, reserved against budgets before it runs.
     */
    public static BigDecimal price(TokenUsage usage, Pricing pricing) {
        return exact(pricing, BigDecimal.valueOf(usage.promptTokens()), BigDecimal.valueOf(usage.completionTokens()),
                BigDecimal.valueOf(usage.images())).setScale(SCALE, RoundingMode.HALF_UP);
    }

    /**
     * What a successful request with at most these counts can cost under these prices (the rule is
     * monotonic in every count), unrounded. The gateway asks it before serving a request, with the
     * request's body size as the prompt tokens (every token is at least one byte of it), its
     * {@code max_tokens} times {@code n} as the completion tokens and {@code n} as the images.
     */
    public static BigDecimal upperBound(Pricing pricing, BigDecimal promptTokens, BigDecimal completionTokens,
            BigDecimal images) {
        return exact(pricing, promptTokens, completionTokens, images);
    }

    /** Whether the ledger can store {@code cost}: from 0 to {@link #MAX_RECORDABLE}. */
    public static boolean recordable(BigDecimal cost) {
        return cost.signum() >= 0 && cost.compareTo(MAX_RECORDABLE) <= 0;
    }

    private static BigDecimal exact(Pricing pricing, BigDecimal promptTokens, BigDecimal completionTokens,
            BigDecimal images) {
        BigDecimal total = pricing.productBase();
        if (pricing.modelPricesTokens()) {
            total = total.add(per1k(promptTokens, pricing.modelInputPer1k()))
                    .add(per1k(completionTokens, pricing.modelOutputPer1k()));
        } else {
            total = total.add(per1k(promptTokens, pricing.productPer1k()))
                    .add(per1k(completionTokens, pricing.productPer1k()));
        }
        if (images.signum() > 0 && pricing.modelPerImage() != null) {
            total = total.add(pricing.modelPerImage().multiply(images));
        }
        return total;
    }

    private static BigDecimal per1k(BigDecimal tokens, BigDecimal pricePer1k) {
        if (tokens.signum() == 0 || pricePer1k == null) {
            return BigDecimal.ZERO;
        }
        // Exact: dividing by 1000 only moves the decimal point, which costs nothing like a division.
        return pricePer1k.multiply(tokens).movePointLeft(3);
    }
}
