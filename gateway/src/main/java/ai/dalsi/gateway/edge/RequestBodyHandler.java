package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.catalog.RouteMatch;
import ai.dalsi.gateway.error.ErrorCode;
import io.netty.channel.ChannelHandlerContext;

/**
 * The request body of a product endpoint: over the size limit is 413; not a JSON object, or no
 * {@code model}, is 400. Reads the model, the stream flags and the requested size once, and makes
 * a stream ask for its usage when the client did not.
 */
final class RequestBodyHandler extends ExchangeStep {

    private final RequestBodyParser parser;
    private final int maxBodyBytes;
    private final ExchangeResponder responder;

    RequestBodyHandler(RequestBodyParser parser, int maxBodyBytes, ExchangeResponder responder) {
        this.parser = parser;
        this.maxBodyBytes = maxBodyBytes;
        this.responder = responder;
    }

    @Override
    void handle(ChannelHandlerContext ctx, Exchange ex) {
        if (ex.oversized) {
            responder.reject(ctx, ex, ErrorCode.REQUEST_TOO_LARGE,
                    "The request body is larger than the limit of " + maxBodyBytes + " bytes.", null);
            return;
        }
        if (!(ex.route instanceof RouteMatch.ProductEndpoint)) {
            ctx.fireChannelRead(ex);
            return;
        }
        ParsedBody parsed = parser.parse(ex.body);
        if (parsed instanceof ParsedBody.Invalid invalid) {
            responder.reject(ctx, ex, ErrorCode.INVALID_REQUEST, invalid.message(), invalid.param());
            return;
        }
        ParsedBody.Fields f = (ParsedBody.Fields) parsed;
        ex.modelName = f.model();
        ex.stream = f.stream();
        ex.clientAskedForUsage = f.clientAskedForUsage();
        ex.n = f.n();
        ex.maxTokens = f.maxTokens();
        if (f.stream() && !f.clientAskedForUsage() && ex.product.kind().streamUsageOnRequest()) {
            ex.body = parser.withIncludeUsage(ex.body, f, ctx.alloc());
        }
        ctx.fireChannelRead(ex);
    }
}
