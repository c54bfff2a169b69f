package ai.dalsi.gateway.edge;

/**
 * A step of the request path: a plain function of the {@link Exchange} (what the request is and
 * what the steps before learned) that returns its decision as a {@link StepResult}. Steps never
 * write to the channel: the one handler that runs them ({@link RequestPathHandler}) does, through
 * {@link ExchangeFinisher}. Steps are shared by every connection and hold no per-request state.
 * {@link RequestPath} lists them in order.
 */
@FunctionalInterface
interface ExchangeStep {

    StepResult apply(Exchange ex);
}
