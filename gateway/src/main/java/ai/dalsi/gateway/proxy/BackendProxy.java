package ai.dalsi.gateway.proxy;

import io.netty.channel.ChannelHandlerContext;

/**
 * Forwards authorized requests to model backends over pooled keep-alive connections that share
 * the inbound channel's event loop, and streams responses back with backpressure.
 *
 * <p>The edge calls {@link #forward} from its last handler after authentication, authorization and
 * limits; from then until {@link ExchangeListener#completed} the exchange belongs to the proxy: it
 * writes the response (status, headers, body) to the inbound channel and flushes it, and the edge
 * must not write to that channel until the listener was called (and, when it answers a
 * {@link ProxyOutcome#gatewayError()}, only then). The proxy writes through the channel's whole
 * pipeline ({@code channel().write}), so outbound handlers of the edge see its response.
 *
 * <p>The proxy notices a client that goes away through the inbound channel's close future. Keep
 * reading the inbound channel during an exchange (or at least let it notice a close); otherwise a
 * vanished client is only noticed at the next write.
 */
public interface BackendProxy extends AutoCloseable {

    /**
     * Forwards the request and writes the backend's response to the inbound channel of
     * {@code inbound}. Should be called on that channel's event loop (a call from another thread is
     * moved there). Reports the end through the listener exactly once (see {@link ExchangeListener}).
     */
    void forward(ChannelHandlerContext inbound, ProxyRequest request, ExchangeListener listener);

    /** Closes pooled backend connections. Exchanges forwarded afterwards end with 503. */
    @Override
    void close();
}
