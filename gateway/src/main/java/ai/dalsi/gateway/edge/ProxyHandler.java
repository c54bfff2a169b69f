package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.error.ErrorCode;
import ai.dalsi.gateway.proxy.BackendProxy;
import ai.dalsi.gateway.proxy.BackendGroup;
import ai.dalsi.gateway.proxy.ProxyRequest;
import ai.dalsi.metering.UsageSink;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.function.Function;

/**
 * Hands an authorized, admitted request to the {@link BackendProxy}, which streams the answer to
 * the client and reports the end to the {@link ExchangeResponder} (the usage event; the last
 * bytes wait for the sink). Refuses new work with 503 while the sink cannot take events.
 */
final class ProxyHandler extends ExchangeStep {

    private final BackendProxy proxy;
    private final Function<String, BackendGroup> backends;
    private final UsageSink sink;
    private final ExchangeResponder responder;

    ProxyHandler(BackendProxy proxy, Function<String, BackendGroup> backends, UsageSink sink,
            ExchangeResponder responder) {
        this.proxy = proxy;
        this.backends = backends;
        this.sink = sink;
        this.responder = responder;
    }

    @Override
    void handle(ChannelHandlerContext ctx, Exchange ex) {
        if (ex.product == null || ex.body == null) {
            responder.reject(ctx, ex, ErrorCode.INTERNAL_ERROR, "The request could not be routed.", null);
            return;
        }
        if (!sink.accepting()) {
            responder.reject(ctx, ex, ErrorCode.SERVICE_UNAVAILABLE,
                    "The server is overloaded; please retry shortly.", null);
            return;
        }
        BackendGroup target = backends.apply(ex.modelName);
        if (target == null) {
            responder.reject(ctx, ex, ErrorCode.SERVICE_UNAVAILABLE,
                    "No backend serves the model '" + ex.modelName + "' right now.", null);
            return;
        }
        HttpHeaders headers = forwardable(ex.headers);
        ByteBuf body = ex.body;
        ex.body = null; // the proxy owns it now
        ex.answered = true;
        ex.upstreamStartNanos = System.nanoTime();
        proxy.forward(ctx, new ProxyRequest(ex.idText, ex.method, ex.uri, headers, body, ex.modelName, ex.stream,
                ex.clientAskedForUsage, ex.product.kind(), target, null),
                outcome -> responder.proxyCompleted(ctx, ex, outcome));
    }

    /** The client's headers minus credentials, hop-by-hop headers and those the proxy sets itself. */
    static HttpHeaders forwardable(HttpHeaders h) {
        h.remove(HttpHeaderNames.AUTHORIZATION)
                .remove("x-api-key")
                .remove(HttpHeaderNames.PROXY_AUTHORIZATION)
                .remove(HttpHeaderNames.CONNECTION)
                .remove(HttpHeaderNames.KEEP_ALIVE)
                .remove("proxy-connection")
                .remove(HttpHeaderNames.TE)
                .remove(HttpHeaderNames.TRAILER)
                .remove(HttpHeaderNames.TRANSFER_ENCODING)
                .remove(HttpHeaderNames.UPGRADE)
                .remove(HttpHeaderNames.HOST)
                .remove(HttpHeaderNames.CONTENT_LENGTH)
                .remove(HttpHeaderNames.EXPECT);
        return h;
    }
}
