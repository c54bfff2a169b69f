package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.catalog.Catalog;
import ai.dalsi.gateway.catalog.RouteMatch;
import ai.dalsi.gateway.error.ErrorCode;
import io.netty.channel.ChannelHandlerContext;
import java.util.function.Supplier;

/**
 * Where the request goes, from the current catalog: a product's endpoint or the model list; an
 * unknown path is 404 {@code not_found}, a known path with another method 405, an inactive
 * product's endpoint 404.
 */
final class RoutingHandler extends ExchangeStep {

    private final Supplier<Catalog> catalog;
    private final ExchangeResponder responder;

    RoutingHandler(Supplier<Catalog> catalog, ExchangeResponder responder) {
        this.catalog = catalog;
        this.responder = responder;
    }

    @Override
    void handle(ChannelHandlerContext ctx, Exchange ex) {
        RouteMatch route = catalog.get().route(ex.method, ex.path);
        ex.route = route;
        switch (route) {
            case RouteMatch.ProductEndpoint p -> {
                ex.product = p.product();
                ctx.fireChannelRead(ex);
            }
            case RouteMatch.ModelList m -> ctx.fireChannelRead(ex);
            case RouteMatch.ModelRetrieve m -> ctx.fireChannelRead(ex);
            case RouteMatch.MethodNotAllowed m -> responder.reject(ctx, ex, ErrorCode.METHOD_NOT_ALLOWED,
                    "Method " + ex.method.name() + " is not allowed for " + ex.path + " (allowed: " + m.allowed() + ").",
                    null, m.allowed());
            case RouteMatch.ProductUnavailable p -> {
                ex.product = p.product();
                responder.reject(ctx, ex, ErrorCode.NOT_FOUND,
                        "The endpoint " + ex.path + " is not available at the moment.", null);
            }
            case RouteMatch.NotFound n -> responder.reject(ctx, ex, ErrorCode.NOT_FOUND,
                    "Unknown request URL: " + ex.method.name() + " " + ex.path + ".", null);
        }
    }
}
