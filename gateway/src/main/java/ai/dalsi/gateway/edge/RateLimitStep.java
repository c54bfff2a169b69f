package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.auth.ApiKey;
import ai.dalsi.gateway.catalog.ModelInfo;
import ai.dalsi.gateway.catalog.ProductInfo;
import ai.dalsi.gateway.error.ErrorCode;
import ai.dalsi.gateway.ratelimit.AdmissionDecision;
import ai.dalsi.gateway.ratelimit.KeyRateLimiter;
import ai.dalsi.gateway.ratelimit.LimitMessages;
import ai.dalsi.gateway.ratelimit.RateLimitDecision;
import ai.dalsi.gateway.ratelimit.TokenStatus;
import ai.dalsi.gateway.ratelimit.WorstCase;
import ai.dalsi.metering.tokens.Prompt;
import ai.dalsi.metering.tokens.PromptReader;
import ai.dalsi.metering.tokens.TokenCounter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.util.concurrent.CompletableFuture;

/**
 * Admission: asks the key's limiter whether the request may go on, all limits at once (requests
 * per minute, hour and day; tokens per minute and day; the key's and its owner's monthly budgets),
 * reserving the request's worst case ({@link WorstCase}) when it may. The reservation rides on the
 * exchange until {@link ExchangeFinisher} settles it to the real usage.
 *
 * <p>The worst case is computed only for a key that has token limits or a budget: the prompt
 * counted with the model's tokenizer (the one CPU cost this step adds, proportional to the prompt),
 * plus {@code max_tokens} times {@code n}, or the product's {@code max_tokens_per_request} when the
 * client set none; an embedding's answer is vectors, so only its input counts. The cost is that
 * usage at the model's (or product's) prices.
 *
 * <p>Refusals, as OpenAI answers them: a request window or a token window is 429
 * {@code rate_limit_exceeded} (type {@code rate_limit_error} for requests, {@code tokens} for
 * tokens) with {@code retry-after}; a budget is 429 {@code insufficient_quota} with
 * {@code x-should-retry: false}. The decision is learned either way, for the response
 * headers and the usage event. A limiter that answers later (a shared store) makes the path wait
 * ({@link StepResult.Pending}).
 */
final class RateLimitStep implements ExchangeStep {

    static final StepResult.Refusal UNAVAILABLE = StepResult.Refusal.of(ErrorCode.SERVICE_UNAVAILABLE,
            "Rate limits cannot be checked right now; please retry shortly.");
    private static final Learned.Admitted UNLIMITED = new Learned.Admitted(RateLimitDecision.UNLIMITED);

    private final KeyRateLimiter limiter;
    private final TokenCounter counter;

    RateLimitStep(KeyRateLimiter limiter, TokenCounter counter) {
        this.limiter = limiter;
        this.counter = counter;
    }

    @Override
    public StepResult apply(Exchange ex) {
        ApiKey key = ex.key();
        CompletableFuture<AdmissionDecision> f;
        try {
            f = limiter.admit(key.admission(worstCase(ex, key)));
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        String model = ex.modelName();
        return StepResult.when(f, d -> decided(d, model, key.keyPrefix()), e -> UNAVAILABLE);
    }

    /** The most the request can consume; nothing for a key that nothing but requests limit. */
    WorstCase worstCase(Exchange ex, ApiKey key) {
        ProductInfo product = ex.product();
        ModelInfo model = ex.model();
        ByteBuf body = ex.body();
        if ((key.tokenLimits().unlimited() && key.budgets().none()) || product == null || model == null
                || body == null || ex.shape() == null) {
            return WorstCase.NONE;
        }
        Learned.RequestShape shape = ex.shape();
        int prompt = counter.countPrompt(shape.model(), prompt(body));
        return switch (product.kind()) {
            case EMBEDDING -> WorstCase.of(prompt, 0, 1, product.maxTokensPerRequest(), 0, model.pricing(product));
            case IMAGE -> WorstCase.of(prompt, shape.maxTokens(), shape.n(), product.maxTokensPerRequest(),
                    (int) Math.min(shape.n(), Integer.MAX_VALUE), model.pricing(product));
            default -> WorstCase.of(prompt, shape.maxTokens(), shape.n(), product.maxTokensPerRequest(), 0,
                    model.pricing(product));
        };
    }

    static Prompt prompt(ByteBuf body) {
        if (body.hasArray()) {
            return PromptReader.read(body.array(), body.arrayOffset() + body.readerIndex(), body.readableBytes());
        }
        return PromptReader.read(new ByteBufInputStream(body.duplicate(), false));
    }

    /** The step's result for the limiter's decision on a request for {@code model} by the key shown as {@code keyPrefix}. */
    static StepResult decided(AdmissionDecision d, String model, String keyPrefix) {
        return switch (d) {
            case AdmissionDecision.Allowed a -> a.tokens() == null && a.reservation() == null
                    && a.requests() == RateLimitDecision.UNLIMITED ? UNLIMITED
                    : new Learned.Admitted(a.requests(), a.tokens(), a.reservation(), -1, false);
            case AdmissionDecision.Exempt e -> UNLIMITED;
            case AdmissionDecision.RequestsRefused r -> new StepResult.Refusal(ErrorCode.RATE_LIMIT_EXCEEDED,
                    LimitMessages.requests(r.requests()), null, null,
                    new Learned.Admitted(r.requests(), r.tokens(), null, -1, false));
            case AdmissionDecision.TokensRefused t -> new StepResult.Refusal(ErrorCode.TOKEN_RATE_LIMIT_EXCEEDED,
                    LimitMessages.tokens(t, model == null ? "this model" : model, keyPrefix), null, null,
                    new Learned.Admitted(t.requests(),
                            new TokenStatus(t.window(), t.limit(), Math.max(0, t.limit() - t.used()), t.resetNanos()),
                            null, t.exceedsLimit() ? -1 : t.retryAfterNanos(), false));
            case AdmissionDecision.BudgetRefused b -> new StepResult.Refusal(ErrorCode.INSUFFICIENT_QUOTA,
                    LimitMessages.budget(b), null, null, new Learned.Admitted(b.requests(), b.tokens(), null, -1, true));
        };
    }
}
