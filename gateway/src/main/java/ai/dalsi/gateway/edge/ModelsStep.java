package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.catalog.Catalog;
import ai.dalsi.gateway.catalog.RouteMatch;
import io.netty.buffer.Unpooled;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * Answers {@code GET /v1/models} (OpenAI's list of the models the key's tier may use, rendered
 * once per catalog load; the tier is the request's, from the owner's subscription) and {@code GET /v1/models/{model}}; everything else goes on.
 */
final class ModelsStep implements ExchangeStep {

    private final Supplier<Catalog> catalog;
    private final Clock clock;

    ModelsStep(Supplier<Catalog> catalog, Clock clock) {
        this.catalog = catalog;
        this.clock = clock;
    }

    @Override
    public StepResult apply(Exchange ex) {
        RouteMatch route = ex.route();
        if (route instanceof RouteMatch.ModelList) {
            return new StepResult.Answer(Unpooled.wrappedBuffer(catalog.get().modelList(ex.key().tierAt(clock.instant()))));
        }
        if (route instanceof RouteMatch.ModelRetrieve) {
            return new StepResult.Answer(Unpooled.wrappedBuffer(Catalog.modelObject(ex.model())));
        }
        return Learned.NOTHING;
    }
}
