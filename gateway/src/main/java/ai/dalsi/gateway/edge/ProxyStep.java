package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.error.ErrorCode;
import ai.dalsi.gateway.proxy.BackendGroup;
import ai.dalsi.metering.UsageSink;
import java.util.function.Function;

/**
 * The last step: an authorized, admitted request goes to its model's backend
 * ({@link StepResult.Forward}; {@link BackendHandOff} hands it over). Refuses new work with 503
 * while the usage sink cannot take events, or when no backend serves the model.
 */
final class ProxyStep implements ExchangeStep {

    static final StepResult.Refusal UNROUTABLE = StepResult.Refusal.of(ErrorCode.INTERNAL_ERROR,
            "The request could not be routed.");
    static final StepResult.Refusal OVERLOADED = StepResult.Refusal.of(ErrorCode.SERVICE_UNAVAILABLE,
            "The server is overloaded; please retry shortly.");

    private final Function<String, BackendGroup> backends;
    private final UsageSink sink;

    ProxyStep(Function<String, BackendGroup> backends, UsageSink sink) {
        this.backends = backends;
        this.sink = sink;
    }

    @Override
    public StepResult apply(Exchange ex) {
        if (ex.product() == null || ex.body() == null) {
            return UNROUTABLE;
        }
        if (!sink.accepting()) {
            return OVERLOADED;
        }
        BackendGroup target = backends.apply(ex.modelName());
        if (target == null) {
            return StepResult.Refusal.of(ErrorCode.SERVICE_UNAVAILABLE,
                    "No backend serves the model '" + ex.modelName() + "' right now.");
        }
        return new StepResult.Forward(target);
    }
}
