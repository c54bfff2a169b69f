/**
 * The public port: an OpenAI-compatible HTTP/1.1 server on Netty. {@link ai.dalsi.gateway.edge.EdgeServer}
 * builds and runs it.
 *
 * <h2>Shape</h2>
 * <ul>
 *   <li><b>Transport</b> is Netty handlers, in the order {@link ai.dalsi.gateway.edge.EdgePipeline}
 *       lists: idle close, read deadlines, codec, keep-alive, sequencing (which feeds each
 *       request's body to its exchange only once the path asks for it), the stamp of
 *       {@code x-request-id} and the rate-limit headers.</li>
 *   <li><b>The request path</b> is one handler, {@code RequestPathHandler}, running the steps that
 *       {@code RequestPath} lists in order (context, maintenance, authenticate, key-check, route,
 *       full-window on the head; then read-body, body, authorize, flags, rate-limit, models, proxy). A step is a plain function of the {@code Exchange}
 *       ({@code ExchangeStep}) returning a sealed {@code StepResult}: a value it learned (a
 *       {@code Learned} record, set once on the exchange), a refusal, an answer, a forward, or a
 *       pending stage after which the path resumes on the channel's event loop.</li>
 *   <li><b>One end</b>: {@code ExchangeFinisher} turns how an exchange ended ({@code Ending}) into
 *       the response, the one usage event and the metrics, once per request.
 *       {@code BackendHandOff} is the only class that calls the proxy
 *       ({@link ai.dalsi.gateway.proxy.BackendProxy#forward}) and reads its
 *       {@link ai.dalsi.gateway.proxy.ProxyOutcome}.</li>
 * </ul>
 *
 * <h2>Decisions</h2>
 * <ul>
 *   <li><b>Order of checks.</b> Authenticate, then the key's own checks (revoked, expired, active,
 *       owner active, environment, IP allowlist), then route (404/405), then a request window
 *       already full (429), all on the request's head, before a byte of the body is read; then the
 *       body (in-flight budget 503, deadline 408, 413/400), then product and model (scope, tier,
 *       model, {@code max_tokens}), then the rate limit. So an unknown path asked with a valid key
 *       is a 404 (metered, product none); without a valid key it is a 401; a key over its request
 *       window gets its 429 whatever its body holds.</li>
 *   <li><b>{@code GET /v1/models}</b> belongs to no product: it needs an authenticated key that
 *       passes the key's own checks, and it counts against the key's rate limit, but it needs no
 *       scope and no tier. It lists the active models the key's tier may use (models that
 *       {@code requires_subscription} are hidden from free keys); {@code GET /v1/models/{id}}
 *       answers 404 {@code model_not_found} for a model the key may not use.</li>
 *   <li><b>Inactive product:</b> its endpoints answer 404 {@code not_found}.</li>
 *   <li><b>Inactive key or owner:</b> 401 {@code invalid_api_key} (the table has no row; a
 *       revoked key, also inactive, is told {@code api_key_revoked}).</li>
 *   <li><b>{@code max_tokens}:</b> the larger of {@code max_tokens} and
 *       {@code max_completion_tokens}, times {@code n}, must not exceed the product's
 *       {@code max_tokens_per_request} (400 {@code invalid_request}, param {@code max_tokens}).</li>
 *   <li><b>Rate-limit headers on refusals before the limit step</b> (403, 404 model, 400...) come
 *       from a peek at the key's bucket: such requests take nothing from the budget.</li>
 *   <li><b>Limits</b> refill greedily (a per-minute limit of 60 gives one request back every
 *       second); {@code x-ratelimit-reset-requests} is the time until the tightest window is full
 *       again; {@code retry-after} the time until the next request would pass. A lowered limit
 *       caps what is left; a raised one adds the difference.</li>
 *   <li><b>Usage events</b> for every request that presented a known key, including 401s for
 *       revoked/expired keys, 4xx, 429, 5xx, and client aborts (status 499). The events of
 *       requests the edge refused itself say so ({@code UsageEvent.refused()}): the ledger counts
 *       them and keeps only a sample as rows. The edge writes its
 *       own responses only after the sink's stage completed; if the stage fails, the answer
 *       becomes 503 {@code service_unavailable}. When {@code sink.accepting()} is false, requests
 *       that would be proxied get 503 before reaching the backend.</li>
 *   <li><b>A body over the limit</b>: the request is still authenticated (so a known key
 *       is metered) and answered 413 with {@code Connection: close}; a request line or headers
 *       over the limit are 413 too (the catalogue has no 431), undecodable HTTP is 400.</li>
 *   <li><b>Pipelining</b>: requests of one connection are served one at a time, in order; while
 *       one waits, the connection is not read.</li>
 *   <li><b>Forwarded headers</b>: {@code Authorization}, {@code x-api-key}, hop-by-hop headers,
 *       {@code Host}, {@code Content-Length} and {@code Expect} are removed; the proxy sets its own.</li>
 * </ul>
 *
 * <h2>Wiring (the serve command)</h2>
 * <pre>{@code
 * EdgeServer edge = EdgeServer.builder(edgeConfig)      // from YAML/env; port from GATEWAY_HTTP_PORT
 *         .database(database.dsl())                     // products, models, keys (read off the event loop)
 *         .proxy(new NettyBackendProxy(proxyConfig))
 *         .backends(backendRoutes::groupFor)
 *         .sink(usageSink)                              // the durable metering sink
 *         .metrics(edgeMetrics)                         // Micrometer-backed EdgeMetrics
 *         .start();                                     // system clock, nano time meter, system ticker by default
 * keyChangeListener.feed(edge.keyInvalidation());       // LISTEN/NOTIFY -> KeyInvalidation
 * // on shutdown: edge.close() (drains), then proxy.close(), sink drain, database.close()
 * }</pre>
 */
package ai.dalsi.gateway.edge;
