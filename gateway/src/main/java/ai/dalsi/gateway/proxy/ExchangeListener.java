package ai.dalsi.gateway.proxy;

import java.util.concurrent.CompletionStage;

/**
 * The edge's side of a proxied exchange. {@link #completed} is called exactly once per exchange,
 * on the inbound channel's event loop.
 *
 * <p>This is where the ledger's promise is kept: when the response has not ended yet (the last
 * bytes of a plain response, or the final {@code data: [DONE]} chunk of a stream, are still
 * pending), the proxy holds those last bytes back and writes them only after the returned stage
 * completed normally, that is after the usage event is durable. If the stage completes
 * exceptionally (or {@code completed} throws), the proxy closes the client connection instead of
 * ending the response normally. When the exchange already ended without a last write (the client
 * went away, the backend broke mid-stream) or when {@link ProxyOutcome#gatewayError()} is set
 * (nothing was written; the edge answers), the proxy ignores the stage's result.
 *
 * <p>The stage may complete on any thread; the proxy continues on the event loop. The proxy puts
 * no deadline on it: a stage that never completes leaves the client waiting for the end of its
 * response (the journal write must have its own bound). By the time {@code completed} is called
 * the backend connection is already back in the pool.
 */
@FunctionalInterface
public interface ExchangeListener {

    CompletionStage<Void> completed(ProxyOutcome outcome);
}
