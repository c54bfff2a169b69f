package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.error.ErrorCode;
import ai.dalsi.gateway.ratelimit.KeyRateLimiter;
import ai.dalsi.gateway.ratelimit.OpenAiDuration;
import ai.dalsi.gateway.ratelimit.RateLimitDecision;
import io.netty.channel.ChannelHandlerContext;
import java.util.concurrent.CompletableFuture;

/**
 * Takes the request from the key's minute/hour/day budget; a refusal is 429 naming the window.
 * The decision is kept on the exchange for the response headers and the usage event.
 */
final class RateLimitHandler extends ExchangeStep {

    private final KeyRateLimiter limiter;
    private final ExchangeResponder responder;

    RateLimitHandler(KeyRateLimiter limiter, ExchangeResponder responder) {
        this.limiter = limiter;
        this.responder = responder;
    }

    @Override
    void handle(ChannelHandlerContext ctx, Exchange ex) {
        CompletableFuture<RateLimitDecision> f;
        try {
            f = limiter.acquire(ex.key.id(), ex.key.limits());
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        if (f.isDone()) {
            decided(ctx, ex, f);
        } else {
            CompletableFuture<RateLimitDecision> pending = f;
            f.whenComplete((d, e) -> ctx.executor().execute(() -> decided(ctx, ex, pending)));
        }
    }

    private void decided(ChannelHandlerContext ctx, Exchange ex, CompletableFuture<RateLimitDecision> f) {
        if (f.isCompletedExceptionally()) {
            responder.reject(ctx, ex, ErrorCode.SERVICE_UNAVAILABLE,
                    "Rate limits cannot be checked right now; please retry shortly.", null);
            return;
        }
        RateLimitDecision d = f.join();
        ex.rateLimit = d;
        if (d instanceof RateLimitDecision.Limited l) {
            responder.reject(ctx, ex, ErrorCode.RATE_LIMIT_EXCEEDED, "Rate limit reached for requests "
                    + l.window().phrase() + ": limit " + l.limit() + ". Please try again in "
                    + OpenAiDuration.format(l.retryAfterNanos()) + ".", null);
            return;
        }
        if (!ctx.channel().isActive()) {
            responder.abandoned(ctx, ex);
            return;
        }
        ctx.fireChannelRead(ex);
    }
}
