package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.auth.ApiKey;
import ai.dalsi.gateway.catalog.ModelInfo;
import ai.dalsi.gateway.catalog.ProductInfo;
import ai.dalsi.gateway.catalog.RouteMatch;
import ai.dalsi.gateway.ratelimit.RateLimitDecision;
import ai.dalsi.gateway.ratelimit.Reservation;
import ai.dalsi.gateway.ratelimit.TokenStatus;
import java.net.InetSocketAddress;

/**
 * What a step learned about the request: one value per step, set once on the {@link Exchange}
 * by the handler that runs the steps, and read by the later steps, the response headers and the
 * usage event.
 */
sealed interface Learned extends StepResult {

    /** The step checked something and learned nothing new. */
    Learned NOTHING = Nothing.INSTANCE;

    /** See {@link #NOTHING}. */
    enum Nothing implements Learned { INSTANCE }

    /**
     * Who is asking (the context step).
     *
     * @param address     the client: the socket peer, or what a trusted proxy forwarded; null if unknown
     * @param addressText {@code address} as text for the usage row, or null
     * @param userAgent   the {@code User-Agent} header, or null
     */
    record Caller(InetSocketAddress address, String addressText, String userAgent) implements Learned {
    }

    /** The key that asks (the authenticate step). */
    record Authenticated(ApiKey key) implements Learned {
    }

    /**
     * Where the request goes (the route step).
     *
     * @param route   what the catalog matched
     * @param product the product of the endpoint, or null (the model list, unknown paths)
     */
    record Destination(RouteMatch route, ProductInfo product) implements Learned {
    }

    /**
     * What the body asks for (the body step), for a product endpoint.
     *
     * @param model               the {@code model} named
     * @param stream              {@code "stream": true}
     * @param clientAskedForUsage the client set {@code stream_options.include_usage} itself
     * @param n                   {@code n}, or 1
     * @param maxTokens           the larger of {@code max_tokens} and {@code max_completion_tokens}, or -1
     */
    record RequestShape(String model, boolean stream, boolean clientAskedForUsage, long n, long maxTokens)
            implements Learned {
    }

    /** The model the key may use for this request (the authorize step). */
    record Authorized(ModelInfo model) implements Learned {
    }

    /**
     * The limiter's decision (the admission step, or a peek for a refusal before it), with what the
     * response headers need.
     *
     * @param decision        the request windows
     * @param tokens          the tightest token window, or null when the key has no token limits
     * @param reservation     what the exchange must settle when it ends, or null (refused, peeked,
     *                        exempt)
     * @param retryAfterNanos a token refusal's wait for {@code retry-after}, or -1 (a request-window
     *                        refusal carries its own wait in {@code decision})
     * @param noRetry         a budget refusal: {@code x-should-retry: false}
     */
    record Admitted(RateLimitDecision decision, TokenStatus tokens, Reservation reservation, long retryAfterNanos,
            boolean noRetry) implements Learned {

        /** The request windows alone. */
        Admitted(RateLimitDecision decision) {
            this(decision, null, null, -1, false);
        }
    }

    /** The service is paused (maintenance): clients should retry after this many seconds. */
    record Paused(long retryAfterSeconds) implements Learned {
    }
}
