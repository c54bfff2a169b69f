package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.catalog.RouteMatch;
import ai.dalsi.gateway.error.ErrorCode;

/**
 * The request body of a product endpoint: over the size limit is 413; not a JSON object, or no
 * {@code model}, is 400. Reads the model, the stream flags and the requested size once
 * ({@link Learned.RequestShape}), and makes a stream ask for its usage when the client did not
 * (the one change to the body: it replaces the exchange's body with the rewritten one).
 */
final class BodyStep implements ExchangeStep {

    private final RequestBodyParser parser;
    private final StepResult.Refusal tooLarge;

    BodyStep(RequestBodyParser parser, int maxBodyBytes) {
        this.parser = parser;
        this.tooLarge = StepResult.Refusal.of(ErrorCode.REQUEST_TOO_LARGE,
                "The request body is larger than the limit of " + maxBodyBytes + " bytes.");
    }

    @Override
    public StepResult apply(Exchange ex) {
        if (ex.oversized) {
            return tooLarge;
        }
        if (!(ex.route() instanceof RouteMatch.ProductEndpoint)) {
            return Learned.NOTHING;
        }
        ParsedBody parsed = parser.parse(ex.body());
        if (parsed instanceof ParsedBody.Invalid invalid) {
            return StepResult.Refusal.of(ErrorCode.INVALID_REQUEST, invalid.message(), invalid.param());
        }
        ParsedBody.Fields f = (ParsedBody.Fields) parsed;
        if (f.stream() && !f.clientAskedForUsage() && ex.product().kind().streamUsageOnRequest()) {
            ex.replaceBody(parser.withIncludeUsage(ex.takeBody(), f, ex.alloc));
        }
        return new Learned.RequestShape(f.model(), f.stream(), f.clientAskedForUsage(), f.n(), f.maxTokens());
    }
}
