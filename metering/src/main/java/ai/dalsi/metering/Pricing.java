package ai.dalsi.metering;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * The prices that apply to one request: the model's (from {@code ai_models.pricing}) and the
 * product's ({@code api_products.price_per_1k_tokens}, {@code base_price_usd}). All in USD.
 *
 * <p>{@code ai_models.pricing} is a JSON object with any of these members, numbers or numeric
 * strings: {@value #INPUT_PER_1K}, {@value #OUTPUT_PER_1K}, {@value #PER_IMAGE}. A missing member
 * means "not priced by the model".
 *
 * <p>Every price the catalog accepts, a model's or a product's, lies within the same bounds
 * ({@link #withinBounds}): from 0 to {@link #MAX_PRICE} USD with at most {@value #MAX_PRICE_SCALE}
 * decimal places. At those prices a request would need a billion tokens or a million images to
 * cost more than the ledger can record ({@link CostCalculator#MAX_RECORDABLE}).
 *
 * @param modelInputPer1k   price per 1,000 prompt tokens, or null
 * @param modelOutputPer1k  price per 1,000 completion tokens, or null
 * @param modelPerImage     price per generated image, or null
 * @param productPer1k      the product's price per 1,000 tokens (0 when none)
 * @param productBase       the product's base price per successful request (0 when none)
 */
public record Pricing(
        BigDecimal modelInputPer1k,
        BigDecimal modelOutputPer1k,
        BigDecimal modelPerImage,
        BigDecimal productPer1k,
        BigDecimal productBase) {

    public static final String INPUT_PER_1K = "input_per_1k";
    public static final String OUTPUT_PER_1K = "output_per_1k";
    public static final String PER_IMAGE = "per_image";

    /** The highest price of anything: per 1,000 tokens, per image or per request, in USD. */
    public static final BigDecimal MAX_PRICE = new BigDecimal("1000000");

    /** Decimal places a price may have: the ledger's. */
    public static final int MAX_PRICE_SCALE = CostCalculator.SCALE;

    /** The bounds of {@link #withinBounds}, as error messages state them. */
    public static final String BOUNDS = "a price from 0 to " + MAX_PRICE.toPlainString() + " with at most "
            + MAX_PRICE_SCALE + " decimal places";

    /** No prices at all: every request costs zero. */
    public static final Pricing FREE = new Pricing(null, null, null, BigDecimal.ZERO, BigDecimal.ZERO);

    private static final ObjectMapper MAPPER = new ObjectMapper();

    public Pricing {
        productPer1k = Objects.requireNonNullElse(productPer1k, BigDecimal.ZERO);
        productBase = Objects.requireNonNullElse(productBase, BigDecimal.ZERO);
        for (BigDecimal p : new BigDecimal[] {modelInputPer1k, modelOutputPer1k, modelPerImage, productPer1k, productBase}) {
            if (p != null && p.signum() < 0) {
                throw new IllegalArgumentException("negative price: " + p);
            }
        }
    }

    /**
     * Reads a model's pricing JSON together with its product's prices.
     *
     * @throws IllegalArgumentException naming the member when a price is not a non-negative number
     */
    public static Pricing of(String modelPricingJson, BigDecimal productPer1k, BigDecimal productBase) {
        JsonNode node;
        try {
            node = modelPricingJson == null || modelPricingJson.isBlank()
                    ? MAPPER.createObjectNode() : MAPPER.readTree(modelPricingJson);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("pricing: not JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("pricing: expected a JSON object");
        }
        return new Pricing(price(node, INPUT_PER_1K), price(node, OUTPUT_PER_1K), price(node, PER_IMAGE),
                productPer1k, productBase);
    }

    private static BigDecimal price(JsonNode node, String member) {
        JsonNode v = node.get(member);
        if (v == null || v.isNull()) {
            return null;
        }
        try {
            BigDecimal d = v.isNumber() ? v.decimalValue() : new BigDecimal(v.asText());
            if (d.signum() < 0) {
                throw new IllegalArgumentException("pricing." + member + ": " + d + " (expected: >= 0)");
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("pricing." + member + ": " + v + " (expected: a number)", e);
        }
    }

    /** Whether {@code price} is one the catalog accepts (see {@link #BOUNDS}). */
    public static boolean withinBounds(BigDecimal price) {
        // Magnitude first: comparing 1e1000000 is cheap, stripping its zeros would not be.
        return price.signum() >= 0 && price.compareTo(MAX_PRICE) <= 0
                && price.stripTrailingZeros().scale() <= MAX_PRICE_SCALE;
    }

    /** Whether the model prices tokens itself (otherwise the product's per-1k price applies). */
    public boolean modelPricesTokens() {
        return modelInputPer1k != null || modelOutputPer1k != null;
    }
}
