package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.authz.AuthorizationPolicy;
import ai.dalsi.gateway.authz.AuthzDecision;
import io.netty.channel.ChannelHandlerContext;
import java.time.Clock;

/**
 * Whether the key may be used at all, whatever the request: not revoked, not expired, active,
 * owner active, environment served here, client address allowed ({@link AuthorizationPolicy#checkKey}).
 */
final class KeyCheckHandler extends ExchangeStep {

    private final AuthorizationPolicy policy;
    private final Clock clock;
    private final ExchangeResponder responder;

    KeyCheckHandler(AuthorizationPolicy policy, Clock clock, ExchangeResponder responder) {
        this.policy = policy;
        this.clock = clock;
        this.responder = responder;
    }

    @Override
    void handle(ChannelHandlerContext ctx, Exchange ex) {
        if (policy.checkKey(ex.key, ex.client, clock.instant()) instanceof AuthzDecision.Denied d) {
            responder.reject(ctx, ex, d.code(), d.message(), d.param());
            return;
        }
        ctx.fireChannelRead(ex);
    }
}
