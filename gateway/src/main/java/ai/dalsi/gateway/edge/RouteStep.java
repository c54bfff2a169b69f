package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.catalog.Catalog;
import ai.dalsi.gateway.catalog.RouteMatch;
import ai.dalsi.gateway.error.ErrorCode;
import java.util.function.Supplier;

/**
 * Where the request goes, from the current catalog: a product's endpoint or the model list; an
 * unknown path is 404 {@code not_found}, a known path with another method 405 (with
 * {@code Allow}), an inactive product's endpoint 404.
 */
final class RouteStep implements ExchangeStep {

    private final Supplier<Catalog> catalog;

    RouteStep(Supplier<Catalog> catalog) {
        this.catalog = catalog;
    }

    @Override
    public StepResult apply(Exchange ex) {
        RouteMatch route = catalog.get().route(ex.method, ex.path);
        return switch (route) {
            case RouteMatch.ProductEndpoint p -> new Learned.Destination(route, p.product());
            case RouteMatch.ModelList m -> new Learned.Destination(route, null);
            case RouteMatch.ModelRetrieve m -> new Learned.Destination(route, null);
            case RouteMatch.MethodNotAllowed m -> new StepResult.Refusal(ErrorCode.METHOD_NOT_ALLOWED, "Method "
                    + ex.method.name() + " is not allowed for " + ex.path + " (allowed: " + m.allowed() + ").", null,
                    m.allowed(), null);
            case RouteMatch.ProductUnavailable p -> new StepResult.Refusal(ErrorCode.NOT_FOUND, "The endpoint "
                    + ex.path + " is not available at the moment.", null, null,
                    new Learned.Destination(route, p.product()));
            case RouteMatch.NotFound n -> StepResult.Refusal.of(ErrorCode.NOT_FOUND,
                    "Unknown request URL: " + ex.method.name() + " " + ex.path + ".");
        };
    }
}
