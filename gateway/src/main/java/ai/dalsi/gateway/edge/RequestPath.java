package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.auth.CredentialExtractor;
import ai.dalsi.gateway.auth.KeyCache;
import ai.dalsi.gateway.authz.AuthorizationPolicy;
import ai.dalsi.gateway.catalog.Catalog;
import ai.dalsi.gateway.flags.FeatureFlags;
import ai.dalsi.gateway.net.ClientAddressResolver;
import ai.dalsi.gateway.proxy.BackendGroup;
import ai.dalsi.gateway.ratelimit.KeyRateLimiter;
import ai.dalsi.metering.UsageSink;
import ai.dalsi.metering.tokens.TokenCounter;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The request path of docs/ARCHITECTURE.md, in order: the steps {@link RequestPathHandler} runs for every
 * request. Read top to bottom, this is what a request goes through once its head (request line and
 * headers) is decoded. The steps above {@code read-body} see the head only: until they pass, not a
 * byte of the body is read, so a request without a valid key costs no body memory.
 *
 * <pre>
 *  -- the head ------------------------------------------------------------------------------------
 *  context       client address (trusted proxies), user agent; undecodable requests (400 / 413)
 *  maintenance   the maintenance flag on for every key: the whole port answers                503
 *  authenticate  API key: format check, then the key cache (loads off the event loop)       401 / 503
 *  key-check     the key itself: revoked, expired, active, environment, IP allowlist         401 / 403
 *  route         path and method to a product (or the model list)                             404 / 405
 *  full-window   a key whose request window is full right now (limits in this process)       429
 *  -- the body ------------------------------------------------------------------------------------
 *  read-body     reserves the body in the in-flight budget, then waits for it          503 / 408 / 413
 *  body          size, JSON body: model, stream, max_tokens; asks streams for their usage     413 / 400
 *  authorize     product scope and tier, model, max_tokens                                    403 / 404 / 400
 *  flags         kill switches for this key: maintenance, product:&lt;name&gt;, model:&lt;name&gt;     503
 *  rate-limit    admission: requests per minute/hour/day, tokens per minute/day, monthly       429 / 503
 *                budgets; reserves the request's worst case until the exchange ends
 *  models        answers GET /v1/models and /v1/models/{id}                                   200
 *  proxy         to the model's backend, unless metering cannot take events or none serves it 503
 * </pre>
 */
final class RequestPath {

    private RequestPath() {
    }

    /** The steps, in the order they run. */
    static List<ExchangeStep> steps(ClientAddressResolver resolver, CredentialExtractor extractor, KeyCache keys,
            AuthorizationPolicy policy, Clock clock, Supplier<Catalog> catalog, RequestBodyParser parser,
            int maxBodyBytes, BodyBudget budget, KeyRateLimiter limiter, TokenCounter counter,
            Function<String, BackendGroup> backends, UsageSink sink, Supplier<FeatureFlags> flags) {
        return List.of(
                // the head
                new ContextStep(resolver),
                FlagStep.maintenanceForEveryone(flags),
                new AuthenticateStep(extractor, keys),
                new KeyCheckStep(policy, clock),
                new RouteStep(catalog),
                new FullWindowStep(limiter),
                // the body
                new ReadBodyStep(budget, maxBodyBytes),
                new BodyStep(parser, maxBodyBytes),
                new AuthorizeStep(policy, catalog),
                FlagStep.perKey(flags),
                new RateLimitStep(limiter, counter),
                new ModelsStep(catalog, clock),
                new ProxyStep(backends, sink));
    }
}
