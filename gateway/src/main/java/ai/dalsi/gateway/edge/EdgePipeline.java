package ai.dalsi.gateway.edge;

/**
 * Names of the edge's channel handlers, in pipeline order: the request path of DESIGN.md read top
 * to bottom. Inbound messages flow down this list; responses flow back up it.
 *
 * <pre>
 *  {@value #IDLE}            closes keep-alive connections idle too long (with no request in flight)
 *  {@value #HTTP}            HTTP/1.1 codec, request line and header size limits
 *  {@value #KEEP_ALIVE}      keep-alive bookkeeping: closes after a response that ends the connection
 *  {@value #AGGREGATE}       whole request bodies up to the limit; larger ones become a 413 marker
 *  {@value #SEQUENCE}        one request at a time per connection (pipelining-safe), request id, idle close
 *  {@value #STAMP}           x-request-id and x-ratelimit-* on every response
 *  {@value #CONTEXT}         client address (trusted proxies), user agent, undecodable requests
 *  {@value #AUTHENTICATE}    API key: format check, then the key cache (loads off the event loop)
 *  {@value #KEY_CHECK}       the key itself: revoked, expired, active, environment, IP allowlist
 *  {@value #ROUTE}           path and method to product (or the model list); 404 / 405
 *  {@value #BODY}            size (413), JSON body (400): model, stream, max_tokens; asks streams for usage
 *  {@value #AUTHORIZE}       product scope and tier, model, max_tokens
 *  {@value #RATE_LIMIT}      per-key minute/hour/day limits (429)
 *  {@value #MODELS}          answers GET /v1/models and /v1/models/{id}
 *  {@value #PROXY}           forwards to the model backend; meters the end of the exchange
 *  {@value #UNEXPECTED}      last resort: unexpected failures become a 500 without a stack trace
 * </pre>
 */
public final class EdgePipeline {

    public static final String IDLE = "idle";
    public static final String HTTP = "http";
    public static final String KEEP_ALIVE = "keep-alive";
    public static final String AGGREGATE = "aggregate";
    public static final String SEQUENCE = "sequence";
    public static final String STAMP = "stamp";
    public static final String CONTEXT = "context";
    public static final String AUTHENTICATE = "authenticate";
    public static final String KEY_CHECK = "key-check";
    public static final String ROUTE = "route";
    public static final String BODY = "body";
    public static final String AUTHORIZE = "authorize";
    public static final String RATE_LIMIT = "rate-limit";
    public static final String MODELS = "models";
    public static final String PROXY = "proxy";
    public static final String UNEXPECTED = "unexpected";

    private EdgePipeline() {
    }
}
