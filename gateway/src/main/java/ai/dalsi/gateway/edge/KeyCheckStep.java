package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.authz.AuthorizationPolicy;
import ai.dalsi.gateway.authz.AuthzDecision;
import java.time.Clock;

/**
 * Whether the key may be used at all, whatever the request: not revoked, not expired, active,
 * owner active, environment served here, client address allowed ({@link AuthorizationPolicy#checkKey}).
 */
final class KeyCheckStep implements ExchangeStep {

    private final AuthorizationPolicy policy;
    private final Clock clock;

    KeyCheckStep(AuthorizationPolicy policy, Clock clock) {
        this.policy = policy;
        this.clock = clock;
    }

    @Override
    public StepResult apply(Exchange ex) {
        if (policy.checkKey(ex.key(), ex.client(), clock.instant()) instanceof AuthzDecision.Denied d) {
            return StepResult.Refusal.of(d.code(), d.message(), d.param());
        }
        return Learned.NOTHING;
    }
}
