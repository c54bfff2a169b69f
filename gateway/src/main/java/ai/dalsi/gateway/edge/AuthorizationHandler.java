package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.authz.AuthorizationPolicy;
import ai.dalsi.gateway.authz.AuthzDecision;
import ai.dalsi.gateway.catalog.Catalog;
import ai.dalsi.gateway.catalog.RouteMatch;
import io.netty.channel.ChannelHandlerContext;
import java.util.function.Supplier;

/**
 * Whether the key may make this request: the product's scopes and tier, the model (exists,
 * active, allowed for the tier), the requested {@code max_tokens}. The model list needs no scope:
 * it shows each key only the models it may use. Retrieving one model needs it to be usable.
 */
final class AuthorizationHandler extends ExchangeStep {

    private final AuthorizationPolicy policy;
    private final Supplier<Catalog> catalog;
    private final ExchangeResponder responder;

    AuthorizationHandler(AuthorizationPolicy policy, Supplier<Catalog> catalog, ExchangeResponder responder) {
        this.policy = policy;
        this.catalog = catalog;
        this.responder = responder;
    }

    @Override
    void handle(ChannelHandlerContext ctx, Exchange ex) {
        AuthzDecision d = AuthzDecision.ALLOWED;
        if (ex.route instanceof RouteMatch.ProductEndpoint) {
            d = policy.checkProduct(ex.key, ex.product);
            if (d == AuthzDecision.ALLOWED) {
                ex.model = catalog.get().model(ex.modelName);
                d = policy.checkModel(ex.key, ex.modelName, ex.model);
            }
            if (d == AuthzDecision.ALLOWED) {
                d = policy.checkMaxTokens(ex.product, ex.maxTokens, ex.n);
            }
            if (d == AuthzDecision.ALLOWED) {
                d = policy.checkCost(ex.product, ex.model, ex.requestBytes, ex.maxTokens, ex.n);
            }
        } else if (ex.route instanceof RouteMatch.ModelRetrieve r) {
            ex.modelName = r.model();
            ex.model = catalog.get().model(r.model());
            d = policy.checkModel(ex.key, r.model(), ex.model);
            if (d instanceof AuthzDecision.Denied) {
                // Listing hides what the tier cannot use; retrieving it must not reveal it either.
                d = new AuthzDecision.Denied(ai.dalsi.gateway.error.ErrorCode.MODEL_NOT_FOUND,
                        "The model '" + r.model() + "' does not exist or you do not have access to it.", "model");
            }
        }
        if (d instanceof AuthzDecision.Denied denied) {
            responder.reject(ctx, ex, denied.code(), denied.message(), denied.param());
            return;
        }
        ctx.fireChannelRead(ex);
    }
}
