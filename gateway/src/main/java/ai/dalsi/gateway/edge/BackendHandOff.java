package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.proxy.BackendProxy;
import ai.dalsi.gateway.proxy.BackendGroup;
import ai.dalsi.gateway.proxy.ProxyOutcome;
import ai.dalsi.gateway.proxy.ProxyRequest;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The edge's one contact with the proxy: hands an admitted request to the {@link BackendProxy}
 * and turns its {@link ProxyOutcome} into an {@link Ending} for the {@link ExchangeFinisher}. No
 * other class of the edge calls {@link BackendProxy#forward} or reads a {@code ProxyOutcome}, so
 * a change of that contract changes this class only.
 */
final class BackendHandOff {

    static final String TIMEOUT_MESSAGE = "The model backend did not answer in time.";
    static final String BROKE_MESSAGE = "The model backend could not be reached or broke off.";
    private static final AsciiString X_API_KEY = AsciiString.cached("x-api-key");
    private static final CompletionStage<Void> DONE = CompletableFuture.completedStage(null);

    private final BackendProxy proxy;
    private final ExchangeFinisher finisher;

    BackendHandOff(BackendProxy proxy, ExchangeFinisher finisher) {
        this.proxy = proxy;
        this.finisher = finisher;
    }

    /** Forwards the request; from now on the proxy writes the response and the body is the proxy's. */
    void forward(ChannelHandlerContext ctx, Exchange ex, BackendGroup backends) {
        Learned.RequestShape shape = ex.shape();
        ex.proxying(System.nanoTime());
        // The proxy sends upstream only the client headers the model's allowlist names; the client's
        // credentials are removed here as well, so no part past the edge ever holds the key.
        HttpHeaders headers = ex.headers.remove(HttpHeaderNames.AUTHORIZATION).remove(X_API_KEY)
                .remove(HttpHeaderNames.PROXY_AUTHORIZATION);
        ByteBuf body = ex.handOffBody();
        proxy.forward(ctx, new ProxyRequest(ex.idText, ex.method, ex.uri, headers, body, ex.modelName(),
                shape != null && shape.stream(), shape != null && shape.clientAskedForUsage(), ex.product().kind(),
                backends, null, ex.generated()), outcome -> completed(ctx, ex, outcome));
    }

    private CompletionStage<Void> completed(ChannelHandlerContext ctx, Exchange ex, ProxyOutcome o) {
        if (o instanceof ProxyOutcome.Unanswered u) {
            // The proxy wrote nothing and hands the answer back.
            String message = switch (u.error()) {
                case UPSTREAM_TIMEOUT -> TIMEOUT_MESSAGE;
                case SERVICE_UNAVAILABLE -> "No backend of the model '" + ex.modelName()
                        + "' is available right now; please retry shortly.";
                default -> BROKE_MESSAGE;
            };
            finisher.finish(ctx, ex, new Ending.UpstreamError(u.error(), message, null, u.backend(), u.attempts()));
            return DONE;
        }
        return finisher.proxied(ctx, ex, new Ending.Proxied(o.status(), o.usage(), o.responseBytes(),
                o.backendLatencyMs(), o instanceof ProxyOutcome.ClientGone, o.errorMessage(), o.backend(),
                o.attempts()));
    }
}
