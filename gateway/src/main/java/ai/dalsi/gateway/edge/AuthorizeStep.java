package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.authz.AuthorizationPolicy;
import ai.dalsi.gateway.authz.AuthzDecision;
import ai.dalsi.gateway.catalog.Catalog;
import ai.dalsi.gateway.catalog.ModelInfo;
import ai.dalsi.gateway.catalog.RouteMatch;
import ai.dalsi.gateway.error.ErrorCode;
import java.util.function.Supplier;

/**
 * Whether the key may make this request: the product's scopes and tier, the model (exists,
 * active, allowed for the tier), the requested {@code max_tokens}, and that the most the request
 * could cost is something the ledger can record. The model list needs no scope:
 * it shows each key only the models it may use. Retrieving one model needs it to be usable.
 */
final class AuthorizeStep implements ExchangeStep {

    private final AuthorizationPolicy policy;
    private final Supplier<Catalog> catalog;

    AuthorizeStep(AuthorizationPolicy policy, Supplier<Catalog> catalog) {
        this.policy = policy;
        this.catalog = catalog;
    }

    @Override
    public StepResult apply(Exchange ex) {
        RouteMatch route = ex.route();
        if (route instanceof RouteMatch.ProductEndpoint) {
            AuthzDecision d = policy.checkProduct(ex.key(), ex.product());
            if (d instanceof AuthzDecision.Denied denied) {
                return refusal(denied);
            }
            String name = ex.modelName();
            ModelInfo model = catalog.get().model(name);
            d = policy.checkModel(ex.key(), name, model);
            if (d == AuthzDecision.ALLOWED) {
                d = policy.checkMaxTokens(ex.product(), ex.shape().maxTokens(), ex.shape().n());
            }
            if (d == AuthzDecision.ALLOWED) {
                d = policy.checkCost(ex.product(), model, ex.requestBytes, ex.shape().maxTokens(), ex.shape().n());
            }
            return d instanceof AuthzDecision.Denied denied ? refusal(denied) : new Learned.Authorized(model);
        }
        if (route instanceof RouteMatch.ModelRetrieve r) {
            ModelInfo model = catalog.get().model(r.model());
            if (policy.checkModel(ex.key(), r.model(), model) instanceof AuthzDecision.Denied) {
                // Listing hides what the tier cannot use; retrieving it must not reveal it either.
                return StepResult.Refusal.of(ErrorCode.MODEL_NOT_FOUND,
                        "The model '" + r.model() + "' does not exist or you do not have access to it.", "model");
            }
            return new Learned.Authorized(model);
        }
        return Learned.NOTHING;
    }

    private static StepResult.Refusal refusal(AuthzDecision.Denied d) {
        return StepResult.Refusal.of(d.code(), d.message(), d.param());
    }
}
