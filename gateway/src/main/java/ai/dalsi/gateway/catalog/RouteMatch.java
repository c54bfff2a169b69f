package ai.dalsi.gateway.catalog;

/** Where a method and path lead: a product's endpoint, the model list, or an error. */
public sealed interface RouteMatch {

    /** An endpoint of an active product. */
    record ProductEndpoint(ProductInfo product) implements RouteMatch {
    }

    /** {@code GET /v1/models}: belongs to no product. */
    record ModelList() implements RouteMatch {
    }

    /** {@code GET /v1/models/{model}}: belongs to no product. */
    record ModelRetrieve(String model) implements RouteMatch {
    }

    /** The path exists, the method does not (405). */
    record MethodNotAllowed(String allowed) implements RouteMatch {
    }

    /** The path belongs to a product that is not active (404). */
    record ProductUnavailable(ProductInfo product) implements RouteMatch {
    }

    /** No such path (404). */
    record NotFound() implements RouteMatch {
    }

    ModelList MODEL_LIST = new ModelList();
    NotFound NOT_FOUND = new NotFound();
}
