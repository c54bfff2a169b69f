package ai.dalsi.gateway.catalog;

import ai.dalsi.metering.Pricing;
import java.math.BigDecimal;

/**
 * A model as the edge needs it (from {@code ai_models}): whether it may be used, by whom, and its
 * prices, parsed once per catalog load.
 *
 * @param created when the model was added, Unix seconds (the {@code created} of OpenAI's model object)
 */
public record ModelInfo(
        String name,
        boolean active,
        boolean requiresSubscription,
        BigDecimal inputPer1k,
        BigDecimal outputPer1k,
        BigDecimal perImage,
        long created) {

    /** The prices of a request for this model through the product. */
    public Pricing pricing(ProductInfo product) {
        return new Pricing(inputPer1k, outputPer1k, perImage, product.pricePer1kTokens(), product.basePriceUsd());
    }
}
