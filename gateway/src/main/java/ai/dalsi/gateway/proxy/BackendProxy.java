package ai.dalsi.gateway.proxy;

import io.netty.channel.ChannelHandlerContext;

/**
 * Forwards authorized requests to model backends over pooled keep-alive connections that share
 * the inbound channel's event loop, and streams responses back with backpressure.
 */
public interface BackendProxy extends AutoCloseable {

    /**
     * Forwards the request and writes the backend's response to the inbound channel of
     * {@code inbound}. Must be called on that channel's event loop. Reports the end through the
     * listener exactly once (see {@link ExchangeListener}).
     */
    void forward(ChannelHandlerContext inbound, ProxyRequest request, ExchangeListener listener);

    /** Closes pooled backend connections. */
    @Override
    void close();
}
